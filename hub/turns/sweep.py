"""Customers whose message no worker has taken yet: held, and handed to a person, on time.

During an outage or under load every worker (``HUB_WORKERS``) may be busy with other conversations, so a
message can wait in the job queue. Every second a background task of the worker looks at the oldest
queued message of each conversation the bot owns whose drain does not run in this process: received
``BOT_HOLDING_AFTER`` s ago -> the holding message; ``BOT_HANDOFF_AFTER`` s ago -> a person
(hub/turns/deadlines.py ``give_up``, reason ``bot_unavailable``), so the deadline caps the wait from the
moment the message was received, whether or not a worker ever took it.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from hub import bot_state, language, periodic, status
from hub.models import Conversation, Message, utcnow
from hub.turns.deadlines import give_up, hold
from hub.turns.deps import TurnDeps

__all__ = ["run", "sweep"]

log = logging.getLogger(__name__)


async def sweep(turn: TurnDeps) -> int:
    """Hold or hand off customers whose oldest queued message is overdue and not being worked on."""
    settings = turn.settings
    now = utcnow()
    query = (
        sa.select(Message, Conversation.language)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.bot_state == bot_state.QUEUED, Conversation.status == status.PENDING)
        .order_by(Message.id)
    )
    async with turn.db.sessions() as session:
        rows = (await session.execute(query)).all()
    seen: set[int] = set()
    done = 0
    for message, current in rows:
        conversation_id = message.conversation_id
        if conversation_id in seen:
            continue
        seen.add(conversation_id)  # only the oldest queued message of a conversation
        if turn.serializer.busy(conversation_id):
            continue  # its drain runs: deadlines.wait() keeps the same clocks
        waited = (now - message.created_at).total_seconds()
        overdue = 0 < settings.bot_handoff_after <= waited
        if not overdue and not 0 < settings.bot_holding_after <= waited:
            continue
        lang = message.language or language.decide(current, message.text, default=settings.default_language)
        act = give_up if overdue else hold
        if await act(turn, conversation_id=conversation_id, message_id=message.id, lang=lang):
            done += 1
    return done


def _interval(holding_after: float, handoff_after: float) -> float:
    shortest = min(t for t in (holding_after, handoff_after) if t > 0)
    return min(1.0, max(shortest / 4, 0.05))


async def run(turn: TurnDeps) -> None:
    """Background task: :func:`sweep` every second (more often with short BOT_*_AFTER settings)."""
    settings = turn.settings
    if settings.bot_holding_after <= 0 and settings.bot_handoff_after <= 0:
        return
    interval = _interval(settings.bot_holding_after, settings.bot_handoff_after)
    await periodic.every(interval, lambda: sweep(turn), what="holding sweep", wait_first=True)
