"""What became of each customer message, read from the hub database and Rasa's trackers: the fault suite
(tests/faults) and the operator walk (ops/fault_walk.py) judge with the same reading.

A message is *answered* when its bot turn is done with exactly one ``bot_replied`` event, and *handed
off* when its conversation has a handoff; its time is from the message's ``created_at`` to the first bot
reply, or to the handoff (0 when the conversation was already with a person when it arrived).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import httpx
import psycopg
from sqlalchemy import make_url

__all__ = ["FALLBACK_TEXTS", "Outcome", "Tally", "conninfo", "rasa_user_turns", "read_outcomes"]


@dataclass
class Outcome:
    message_id: int
    conversation_id: int
    client_message_id: str
    bot_state: str
    bot_replied: int  # bot_replied events for this message
    answered_at: datetime | None  # first bot reply
    handed_at: datetime | None  # the conversation's first handoff
    created_at: datetime
    fallback: int = 0  # bot replies that are Rasa's "not understood" fallback (actions not run)

    @property
    def answered(self) -> bool:
        return self.bot_state == "done" and self.bot_replied == 1

    @property
    def handed_off(self) -> bool:
        return not self.answered and self.handed_at is not None

    @property
    def seconds(self) -> float | None:
        """Receipt to answer, or to a person; None when neither happened."""
        if self.answered and self.answered_at is not None:
            return (self.answered_at - self.created_at).total_seconds()
        if self.handed_off and self.handed_at is not None:
            return max(0.0, (self.handed_at - self.created_at).total_seconds())
        return None


class Tally:
    """What a set of outcomes adds up to; a dataclass that has ``outcomes`` mixes it in (the fault suite's
    verdict of a case, the operator walk's round)."""

    outcomes: list[Outcome]

    @property
    def answered(self) -> int:
        return sum(o.answered for o in self.outcomes)

    @property
    def handed_off(self) -> int:
        return sum(o.handed_off for o in self.outcomes)

    @property
    def neither(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.seconds is None]

    @property
    def worst_seconds(self) -> float:
        return max((o.seconds or 0.0 for o in self.outcomes), default=0.0)

    @property
    def duplicate_answers(self) -> int:
        return sum(o.bot_replied - 1 for o in self.outcomes if o.bot_replied > 1)


def conninfo(url: str) -> str:
    """A psycopg connection string from a SQLAlchemy URL (``postgresql+asyncpg://`` and the like)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


_OUTCOMES = """
SELECT m.id, m.conversation_id, m.client_message_id, m.bot_state, m.created_at,
  (SELECT count(*) FROM events e WHERE e.message_id = m.id AND e.kind = 'bot_replied'),
  (SELECT min(r.created_at) FROM messages r WHERE r.in_reply_to_id = m.id AND r.message_type = 'outgoing'
     AND r.sender_type = 'bot'),
  (SELECT min(h.requested_at) FROM handoffs h WHERE h.conversation_id = m.conversation_id),
  (SELECT count(*) FROM messages r WHERE r.in_reply_to_id = m.id AND r.message_type = 'outgoing'
     AND r.sender_type = 'bot' AND (r.text LIKE %(fallback_es)s OR r.text LIKE %(fallback_en)s))
FROM messages m WHERE m.message_type = 'incoming' AND {where} ORDER BY m.id
"""

#: Rasa's utter_default (domain.yml), Spanish and English: what it says when its custom actions fail.
FALLBACK_TEXTS = ("Perdona, no te he entendido%", "Sorry, I didn't get that%")


def read_outcomes(database_url: str, *, where: str, params: dict[str, object]) -> list[Outcome]:
    """The incoming messages matching ``where`` (SQL on ``m``, the messages table, with %(name)s params)."""
    query = _OUTCOMES.format(where=where)
    values = {"fallback_es": FALLBACK_TEXTS[0], "fallback_en": FALLBACK_TEXTS[1], **params}
    with psycopg.connect(conninfo(database_url)) as conn:
        rows = conn.execute(query, values).fetchall()
    return [
        Outcome(message_id=mid, conversation_id=cid, client_message_id=client_id or "", bot_state=state,
                bot_replied=int(replied), answered_at=answered_at, handed_at=handed_at, created_at=created,
                fallback=int(fallback))
        for mid, cid, client_id, state, created, replied, answered_at, handed_at, fallback in rows
    ]


def rasa_user_turns(rasa_url: str, token: str, conversation_ids: set[int]) -> Counter[int]:
    """Per hub message id: the user turns Rasa's trackers hold for it (rewound ones not counted)."""
    turns: Counter[int] = Counter()
    with httpx.Client(base_url=rasa_url, timeout=30.0) as client:
        for cid in sorted(conversation_ids):
            response = client.get(f"/conversations/{cid}/tracker",
                                  params={"token": token, "include_events": "APPLIED"})
            response.raise_for_status()
            for event in response.json().get("events", []):
                if event.get("event") == "user":
                    message_id = (event.get("metadata") or {}).get("message_id")
                    if message_id is not None:
                        turns[int(message_id)] += 1
    return turns
