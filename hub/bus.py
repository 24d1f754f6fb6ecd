"""After-commit events: one list of names, staged in a transaction, published once it committed.

Code that changes state says what happened with :func:`emit` inside its transaction; listeners (the
handoff desk, later surveys and KPIs) subscribe to a name on the :class:`EventBus`. A
:class:`UnitOfWork` wraps the transaction: events of a transaction that rolls back are dropped, those of
one that committed are published when the unit of work flushes, after the caller delivered what the
transaction stored (so a listener's message never overtakes the one that caused it). Like Zulip's
``send_event_on_commit`` and chatwoot's commit callbacks; the stored audit trail stays in the
``events`` table (hub/crud/events.py), this is the in-process signal.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

__all__ = ["BusEvent", "Database", "EventBus", "EventName", "Listener", "UnitOfWork", "emit"]

log = logging.getLogger(__name__)

_STAGED = "bus.staged"


class EventName(StrEnum):
    """Every event the hub and its plug-ins publish (listeners subscribe to these)."""

    MESSAGE_RECEIVED = "message.received"  # a new customer message is stored (data: bot_state)
    MESSAGE_SKIPPED = "message.skipped"  # stored for people: the bot will not read it
    BOT_ANSWERED = "bot.answered"  # the bot's turn is stored (data: message_id, replies, kb_decision,
    # kb: the knowledge base's payload or None, text: the customer's words)
    BOT_CLARIFIED = "bot.clarified"  # the bot asked which of several answers was meant
    BOT_COULD_NOT_ANSWER = "bot.could_not_answer"  # data: why = failed | unavailable
    HANDOFF_REQUESTED = "handoff.requested"  # data: handoff_id, reason, state (waiting | noted)
    HANDOFF_ASSIGNED = "handoff.assigned"  # data: handoff_id, agent_id, by (claim | auto_assign | transfer)
    HANDOFF_TRANSFERRED = "handoff.transferred"  # data: handoff_id, from_agent_id, to_agent_id | to_team
    HANDOFF_ENDED = "handoff.ended"  # data: handoff_id, reason (resolved | handed_back | abandoned)
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_OPENED = "conversation.opened"  # pending -> open: people own it
    CONVERSATION_HANDED_BACK = "conversation.handed_back"  # open -> pending: the bot owns it again
    CONVERSATION_RESOLVED = "conversation.resolved"  # data: cause (the resolver: agent | bot | ...), why
    CONVERSATION_REOPENED = "conversation.reopened"  # resolved -> open (agent) | pending (customer)
    SURVEY_ANSWERED = "survey.answered"  # data: survey_id, kind (csat | nps), score, comment, human
    CONTACT_MERGED = "contact.merged"  # data: surviving/merged_contact_id, key, agent_id, link_id?
    AGENT_ONLINE = "agent.online"  # data: agent_id
    AGENT_OFFLINE = "agent.offline"  # data: agent_id, status (away | offline)


@dataclass(frozen=True)
class BusEvent:
    name: EventName
    conversation_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[BusEvent], Awaitable[None]]


def emit(session: AsyncSession, name: EventName, *, conversation_id: int | None = None, **data: Any) -> None:
    """Stage an event in the session's transaction (published after it commits, by its unit of work)."""
    staged: list[BusEvent] = session.info.setdefault(_STAGED, [])
    staged.append(BusEvent(name, conversation_id, data))


class EventBus:
    """Listeners by event name; a listener's failure is logged and never reaches the publisher."""

    def __init__(self) -> None:
        self._listeners: dict[EventName, list[Listener]] = defaultdict(list)
        self.published: list[BusEvent] | None = None  # a list -> every event is kept (tests)

    def subscribe(self, name: EventName, listener: Listener) -> None:
        self._listeners[name].append(listener)

    async def publish(self, event: BusEvent) -> None:
        if self.published is not None:
            self.published.append(event)
        for listener in self._listeners.get(event.name, ()):
            try:
                await listener(event)
            except Exception:
                log.exception("event listener failed", extra={"event": str(event.name)})


class UnitOfWork:
    """Transactions whose events wait for :meth:`flush` (also on leaving ``async with``)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], bus: EventBus) -> None:
        self._sessions = sessions
        self._bus = bus
        self._committed: list[BusEvent] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction (commits at the end of the block); its events are kept once it committed."""
        async with self._sessions.begin() as session:
            yield session
            staged: list[BusEvent] = session.info.pop(_STAGED, [])
        self._committed.extend(staged)

    async def flush(self) -> None:
        events, self._committed = self._committed, []
        for event in events:
            await self._bus.publish(event)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        # What committed happened, even when later work (a delivery) failed; not on cancellation.
        if exc_type is None or issubclass(exc_type, Exception):
            await self.flush()


@dataclass(frozen=True)
class Database:
    """The hub database as business code sees it: ``sessions()`` reads, ``sessions.begin()`` writes without
    events, :meth:`unit_of_work` writes whose events are published after the commit."""

    sessions: async_sessionmaker[AsyncSession]
    bus: EventBus

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.bus)
