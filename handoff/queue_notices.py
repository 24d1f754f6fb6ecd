"""Telling waiting customers again that their place in the queue changed.

:func:`after_change` runs after every committed queue change (claim, transfer, resolution,
abandonment). For each waiting handoff it compares the position now with the last one the
customer was told (event ``queue_position_sent``) and, when the rule of the policy file's
``queue_notices`` section holds (moved up by >= ``moved_up_by`` places and by >= ``moved_up_share``
of the position last told, or reached number 1 with ``tell_when_next``), sends one activity
message with the new position and estimated wait and records a new ``queue_position_sent``.
Never after an agent joined (event ``agent_assigned`` of that handoff, e.g. one transferred back
to a team's queue), never while the desk is closed for it, at most one notice per conversation
per change. Passes are serialised (an asyncio lock in the process, a transaction-level advisory
lock on PostgreSQL), so two claims at once never tell anyone twice.

:meth:`QueueNotices.agent_online` runs when an agent comes online (event ``agent.online``): each
waiting customer that agent can serve who was told nobody was online, or that the desk was closed,
hears once that someone is, with their place and wait (``queue_position_sent`` with
``"agents_online": true``). Not while the desk is closed for that customer: they were told when it opens,
and that stays true (an agent working late who takes the conversation says so by joining it); the first
agent to come online once it is open tells them.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import after_hours, notices, queue
from handoff.models import Agent
from hub.crud import events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Conversation, Event, Message, utcnow

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = ["QueueNotices", "Rule", "positions", "rule_of"]

log = logging.getLogger(__name__)

_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
_ADVISORY_KEY = 0x51EE_0E5  # any constant shared by every hub process


@dataclass(frozen=True)
class Rule:
    """When a waiting customer is told again: moved up by at least ``moved_up_by`` places and at least
    ``moved_up_share`` of the position last told (4 -> 2 is news, 150 -> 148 is not), or now first."""

    moved_up_by: int = 2
    tell_when_next: bool = True
    moved_up_share: float = 0.25

    def holds(self, *, told: int | None, now: int) -> bool:
        if told is None:
            return self.tell_when_next and now == 1
        if now >= told:
            return False
        moved = told - now
        return (self.tell_when_next and now == 1) or (
            moved >= self.moved_up_by and moved >= self.moved_up_share * told
        )


def parse_rule(raw: Any, *, source: str) -> Rule:
    """The ``queue_notices`` section; ValueError naming the file and key when it is wrong."""
    if raw is None:
        return Rule()
    if not isinstance(raw, dict):
        raise ValueError(
            f"{source}: queue_notices: expected a mapping (moved_up_by, moved_up_share, tell_when_next)"
        )
    unknown = sorted(set(map(str, raw)) - {"moved_up_by", "moved_up_share", "tell_when_next"})
    if unknown:
        raise ValueError(
            f"{source}: queue_notices.{unknown[0]}: unknown key; "
            "use moved_up_by, moved_up_share, tell_when_next"
        )
    moved = raw.get("moved_up_by", 2)
    if isinstance(moved, bool) or not isinstance(moved, int) or moved < 1:
        raise ValueError(f"{source}: queue_notices.moved_up_by: expected a whole number >= 1, got {moved!r}")
    nxt = raw.get("tell_when_next", True)
    if not isinstance(nxt, bool):
        raise ValueError(f"{source}: queue_notices.tell_when_next: expected true or false, got {nxt!r}")
    share = raw.get("moved_up_share", 0.25)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ValueError(
            f"{source}: queue_notices.moved_up_share: expected a number from 0 to 1, got {share!r}"
        )
    return Rule(moved, nxt, float(share))


def rule_of(settings: HandoffSettings) -> Rule:
    return settings.policy().queue_notices


async def positions(session: AsyncSession) -> list[tuple[queue.QueueItem, int]]:
    """Every waiting handoff with its position (same order and language split as queue.position)."""
    items = await queue.waiting(session)
    ahead: Counter[str | None] = Counter()
    placed = []
    for index, item in enumerate(items):
        language = item.handoff.language
        placed.append((item, (ahead[language] if language else index) + 1))
        ahead[language] += 1
    return placed


async def _history(session: AsyncSession, conversation_ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """(last position told per handoff id, handoff ids an agent joined)."""
    rows = (
        await session.execute(
            sa.select(Event.kind, Event.data)
            .where(
                Event.conversation_id.in_(conversation_ids),
                Event.kind.in_(("queue_position_sent", "agent_assigned")),
            )
            .order_by(Event.id)
        )
    ).all()
    told: dict[int, int] = {}
    joined: set[int] = set()
    for kind, data in rows:
        handoff_id = (data or {}).get("handoff_id")
        if not isinstance(handoff_id, int):
            continue
        if kind == "agent_assigned":
            joined.add(handoff_id)
        elif isinstance((data or {}).get("position"), int):
            told[handoff_id] = data["position"]
    return told, joined


async def _notify(
    session: AsyncSession, settings: HandoffSettings, rule: Rule
) -> list[tuple[Conversation, Message]]:
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_KEY)))
    placed = await positions(session)
    if not placed:
        return []
    told, joined = await _history(session, [item.conversation.id for item, _ in placed])
    now = utcnow()
    sent: list[tuple[Conversation, Message]] = []
    for item, position in placed:
        handoff, conversation = item.handoff, item.conversation
        if handoff.id in joined or not rule.holds(told=told.get(handoff.id), now=position):
            continue
        if after_hours.closed_now(settings, language=conversation.language, skill=handoff.skill, now=now):
            continue
        message = await _tell_position(
            session, settings, item, position, notices.queue_moved, previous=told.get(handoff.id)
        )
        sent.append((conversation, message))
    return sent


async def _tell_position(
    session: AsyncSession,
    settings: HandoffSettings,
    item: Any,
    position: int,
    text: Callable[..., str],
    **event_data: Any,
) -> Message:
    """The customer's place and estimated wait (``text(language, position=, wait_seconds=)``), stored as
    an activity and a ``queue_position_sent`` event with ``event_data``."""
    handoff, conversation = item.handoff, item.conversation
    wait = await queue.estimated_wait(
        session,
        position=position,
        language=handoff.language,
        default_handle_seconds=settings.handoff_default_handle_seconds,
    )
    message = await messages_crud.add_activity(
        session,
        conversation=conversation,
        text=text(conversation.language, position=position, wait_seconds=wait),
        data={"queue_position": position, "estimated_wait_seconds": wait},
    )
    await events.record(
        session,
        conversation_id=conversation.id,
        kind="queue_position_sent",
        message_id=message.id,
        data={"handoff_id": handoff.id, "position": position, "estimated_wait_seconds": wait, **event_data},
    )
    return message


async def _heard_nobody(session: AsyncSession, conversation_ids: list[int]) -> tuple[set[int], set[int]]:
    """(handoff ids whose last position notice said nobody was online, those already told someone is)."""
    rows = (
        await session.execute(
            sa.select(Event.data)
            .where(Event.conversation_id.in_(conversation_ids), Event.kind == "queue_position_sent")
            .order_by(Event.id)
        )
    ).scalars()
    nobody: set[int] = set()
    online: set[int] = set()
    for data in rows:
        handoff_id = (data or {}).get("handoff_id")
        if not isinstance(handoff_id, int):
            continue
        if data.get("agents_online"):
            online.add(handoff_id)
        if data.get("estimated_wait_seconds") is None:
            nobody.add(handoff_id)
        else:
            nobody.discard(handoff_id)
    return nobody, online


async def _tell_online(
    session: AsyncSession, settings: HandoffSettings, agent: Agent
) -> list[tuple[Conversation, Message]]:
    """Every waiting customer this agent can serve who heard nobody was there (or that the desk was
    closed) and has not yet heard someone is: their place and wait now, once per handoff."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_KEY)))
    placed = [
        (item, position) for item, position in await positions(session) if queue.can_take(agent, item.handoff)
    ]
    if not placed:
        return []
    ids = [item.conversation.id for item, _ in placed]
    nobody, online = await _heard_nobody(session, ids)
    _told, joined = await _history(session, ids)
    now = utcnow()
    sent: list[tuple[Conversation, Message]] = []
    for item, position in placed:
        handoff, conversation = item.handoff, item.conversation
        closed_when_asked = bool((handoff.detail or {}).get("closed"))
        if handoff.id in online or handoff.id in joined or not (handoff.id in nobody or closed_when_asked):
            continue
        if after_hours.closed_now(settings, language=conversation.language, skill=handoff.skill, now=now):
            continue  # one voice: "we open on Monday" stands; an agent who answers anyway says so by joining
        message = await _tell_position(
            session, settings, item, position, notices.agents_online, agents_online=True, agent_id=agent.id
        )
        sent.append((conversation, message))
    return sent


class QueueNotices:
    """Re-notices after committed queue changes (claims, transfers, resolves, abandonment)."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], settings: HandoffSettings, delivery: Delivery
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._delivery = delivery

    async def agent_online(self, *, agent_id: int) -> int:
        """An agent came online: the waiting customers they can serve who heard nobody was there hear
        that someone is, with their place and wait (once per handoff). Returns how many."""
        lock = _LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            async with self._sessions.begin() as session:
                agent = await session.get(Agent, agent_id)
                if agent is None or agent.status != "online":
                    return 0
                sent = await _tell_online(session, self._settings, agent)
            for conversation, message in sent:
                await self._delivery.deliver(conversation=conversation, messages=[message])
        return len(sent)

    async def after_change(self) -> int:
        """After a committed queue change: tell the customers who moved up enough. Returns how many."""
        try:
            rule = rule_of(self._settings)
        except Exception:
            log.exception("queue_notices unreadable; no position notices until it is fixed")
            return 0
        lock = _LOCKS.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            async with self._sessions.begin() as session:
                sent = await _notify(session, self._settings, rule)
            for conversation, message in sent:
                await self._delivery.deliver(conversation=conversation, messages=[message])
        return len(sent)
