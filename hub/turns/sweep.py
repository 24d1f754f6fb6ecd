"""Customers whose message no worker has taken yet: held, and handed to a person, on time.

During an outage or under load every worker (``HUB_WORKERS``) may be busy with other conversations, so a
message can wait in the job queue. Every second a background task of the worker looks at the oldest
queued message of each conversation the bot owns whose drain does not run in this process: received
``BOT_HOLDING_AFTER`` s ago -> the holding message; ``BOT_HANDOFF_AFTER`` s ago -> a person
(hub/turns/deadlines.py ``give_up``, reason ``bot_unavailable``), so the deadline caps the wait from the
moment the message was received, whether or not a worker ever took it.

Past capacity (hub/turns/backlog.py) a customer whose message cannot be answered before that deadline at
the rate Rasa answers goes to a person at once (reason ``bot_busy``), and the holding message of one who
can tells the expected wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

import sqlalchemy as sa

from hub import bot_state, language, periodic, status
from hub.models import Conversation, Message, utcnow
from hub.turns import backlog
from hub.turns.deadlines import BOT_BUSY, give_up, hold
from hub.turns.deps import TurnDeps
from hub.turns.drain import process_message, skip

__all__ = ["ORPHAN_AFTER", "run", "skip_orphans", "sweep"]

log = logging.getLogger(__name__)


async def sweep(turn: TurnDeps, saturation: backlog.Saturation | None = None) -> int:
    """Hold or hand off customers whose oldest queued message is overdue, or will be (turns/backlog.py)."""
    settings = turn.settings
    now = utcnow()
    query = (
        sa.select(Message.id, Message.conversation_id, Message.created_at, Message.language, Message.text,
                  Conversation.language)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.bot_state == bot_state.QUEUED, Conversation.status == status.PENDING)
        .order_by(Message.id)
    )
    saturation = saturation or backlog.Saturation()
    async with turn.db.sessions() as session:
        rows = (await session.execute(query)).all()
        waits = [(row[0], row[1], (now - row[2]).total_seconds()) for row in rows]
        tick = time.monotonic()
        saturation.saw(now=tick, oldest_wait=max((w for _, _, w in waits), default=None))
        span = min(saturation.span(tick), backlog.WINDOW)
        rate = 0.0
        if span >= backlog.MIN_SPAN and settings.bot_handoff_after > 0:
            rate = await backlog.turn_rate(session, now=now, window=span)
    ahead = backlog.plan(
        waits, rate=rate, holding_after=settings.bot_holding_after, handoff_after=settings.bot_handoff_after
    )
    late = {item.conversation_id: item for item in ahead.late}
    seen: set[int] = set()
    done = 0
    for (message_id, conversation_id, _, message_language, text, current), (_, _, waited) in zip(
        rows, waits, strict=True
    ):
        if conversation_id in seen:
            continue
        seen.add(conversation_id)  # only the oldest queued message of a conversation
        if turn.serializer.busy(conversation_id):
            continue  # its drain runs: deadlines.wait() keeps the same clocks
        overdue = 0 < settings.bot_handoff_after <= waited
        busy = conversation_id in late  # Rasa answers, just not in time for this customer
        if not (overdue or busy or 0 < settings.bot_holding_after <= waited):
            continue  # nothing due: no language to decide
        lang = message_language or language.decide(current, text, default=settings.default_language)
        if overdue:
            acted = await give_up(turn, conversation_id=conversation_id, message_id=message_id, lang=lang)
        elif busy:
            detail = {"expected_seconds": round(late[conversation_id].expected_wait, 1)}
            acted = await give_up(
                turn, conversation_id=conversation_id, message_id=message_id, lang=lang, reason=BOT_BUSY,
                detail=detail,
            )
        else:
            eta = ahead.eta.get(conversation_id)
            acted = await hold(
                turn, conversation_id=conversation_id, message_id=message_id, lang=lang, eta=eta
            )
        done += int(acted)
    return done


#: Seconds a queued message of a conversation people own may wait for its drain before the sweep skips it.
ORPHAN_AFTER = 10.0


#: Orphans of ended conversations this process is draining (:func:`skip_orphans`).
_reviving: set[int] = set()


async def skip_orphans(turn: TurnDeps) -> int:
    """Queued messages that no drain took within :data:`ORPHAN_AFTER` s (its job lost, or a drain lease
    left behind by a failed release) would stay ``queued`` for good:

    - in a conversation people own: skipped (their drain would have marked them so at once);
    - in one that ended (resolved; the customer wrote again): drained now, in the background, as their
      job would have: the conversation is reopened for the bot (or a plug-in takes the message, a
      survey's rating) and the deadlines apply from the message's receipt. Skipping them left the
      customer with neither an answer nor a person (seen in the fault suite after a worker's kill -9)."""
    before = utcnow() - timedelta(seconds=ORPHAN_AFTER)
    query = (
        sa.select(Message.id, Message.conversation_id, Conversation.status)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.bot_state == bot_state.QUEUED,
            Conversation.status != status.PENDING,
            Message.created_at < before,
        )
        .order_by(Message.id)
    )
    async with turn.db.sessions() as session:
        rows = (await session.execute(query)).all()
    for message_id, conversation_id, conversation_status in rows:
        if turn.serializer.busy(conversation_id) or message_id in _reviving:
            continue
        if conversation_status == status.OPEN:
            await skip(turn, conversation_id=conversation_id, message_id=message_id)
        else:
            _revive(turn, message_id)
    return len(rows)


def _revive(turn: TurnDeps, message_id: int) -> None:
    async def drain() -> None:
        try:
            await process_message(turn, message_id)
        except Exception:
            log.exception("draining an orphaned message failed", extra={"message_id": message_id})
        finally:
            _reviving.discard(message_id)

    _reviving.add(message_id)
    task = asyncio.create_task(drain(), name=f"orphan-{message_id}")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Task[None]] = set()


def _interval(holding_after: float, handoff_after: float) -> float:
    shortest = min(t for t in (holding_after, handoff_after) if t > 0)
    return min(1.0, max(shortest / 4, 0.05))


async def run(turn: TurnDeps) -> None:
    """Background task: :func:`sweep` every second (more often with short BOT_*_AFTER settings)."""
    settings = turn.settings
    if settings.bot_holding_after <= 0 and settings.bot_handoff_after <= 0:
        return
    interval = _interval(settings.bot_holding_after, settings.bot_handoff_after)
    saturation = backlog.Saturation()

    async def both() -> None:
        await sweep(turn, saturation)
        await skip_orphans(turn)

    await periodic.every(interval, both, what="holding sweep", wait_first=True)
