"""The bot turn as a named pipeline, one module per step:

1. hub/turns/drain.py      drain the conversation's queue (the job), bot or people;
2. hub/turns/ask.py        ask Rasa, with retries;
3. hub/turns/deadlines.py  meanwhile: the holding message, then give up and hand to a person (both timed
   from the message's arrival; hub/turns/sweep.py does it for messages no worker has taken yet);
4. hub/turns/answer.py     store the answer (and the turn policy's handoff) and deliver it.
"""

from hub.turns.ask import bot_text
from hub.turns.drain import process_message, recover

__all__ = ["bot_text", "process_message", "recover"]
