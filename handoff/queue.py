"""The agents' queue: waiting handoffs by priority then waiting time, routed by language and skill.

Claiming is atomic: ``UPDATE handoffs SET agent_id = ... WHERE id = ... AND agent_id IS NULL AND
state = 'waiting'`` and the row count decides, so two agents never get the same conversation
(on PostgreSQL each candidate is first locked ``FOR UPDATE SKIP LOCKED``, so concurrent
claimers move on to the next row instead of queueing on the same one). Functions run in the caller's
transaction; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import requests
from handoff.models import Agent, Handoff
from hub.models import Conversation, utcnow
from hub.status import ConversationStatus

__all__ = [
    "QueueItem",
    "all_assigned",
    "assigned_to",
    "auto_assign",
    "can_take",
    "claim",
    "claim_next",
    "current",
    "estimated_wait",
    "load",
    "loads",
    "position",
    "waiting",
]

_RECENT_HANDLED = 20


@dataclass(frozen=True)
class QueueItem:
    handoff: Handoff
    conversation: Conversation


def can_take(agent: Agent, handoff: Handoff) -> bool:
    """Routing: the agent speaks the conversation's language and has the skill it needs."""
    languages = agent.languages or []
    if handoff.language and handoff.language not in languages:
        return False
    return not handoff.skill or handoff.skill in (agent.skills or [])


def _waiting_query() -> sa.Select[Handoff, Conversation]:
    return (
        sa.select(Handoff, Conversation)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(
            Handoff.state == requests.WAITING,
            Handoff.agent_id.is_(None),
            Conversation.status == ConversationStatus.OPEN,
        )
        .order_by(Handoff.priority.desc(), Handoff.requested_at, Handoff.id)
    )


async def waiting(session: AsyncSession, *, agent: Agent | None = None) -> list[QueueItem]:
    """Waiting handoffs, most urgent and longest waiting first (only those ``agent`` can take)."""
    rows = (await session.execute(_waiting_query())).all()
    items = [QueueItem(h, c) for h, c in rows]
    return [i for i in items if agent is None or can_take(agent, i.handoff)]


async def current(session: AsyncSession, *, conversation_id: int) -> Handoff | None:
    """The conversation's live handoff (waiting or assigned), if any."""
    query = (
        sa.select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.state.in_(requests.ACTIVE))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def load(session: AsyncSession, *, agent_id: int) -> int:
    """Conversations the agent currently handles."""
    query = sa.select(sa.func.count(Handoff.id)).where(
        Handoff.agent_id == agent_id, Handoff.state == requests.ASSIGNED
    )
    return int(await session.scalar(query) or 0)


async def loads(session: AsyncSession) -> dict[int, int]:
    """Conversations each agent handles now (agents with none are missing)."""
    query = (
        sa.select(Handoff.agent_id, sa.func.count(Handoff.id))
        .where(Handoff.state == requests.ASSIGNED, Handoff.agent_id.is_not(None))
        .group_by(Handoff.agent_id)
    )
    rows = (await session.execute(query)).all()
    return {int(agent_id): int(count) for agent_id, count in rows if agent_id is not None}


async def all_assigned(session: AsyncSession) -> list[QueueItem]:
    """Every conversation an agent handles now, the longest held first (the supervisors' view)."""
    rows = (
        await session.execute(
            sa.select(Handoff, Conversation)
            .join(Conversation, Conversation.id == Handoff.conversation_id)
            .where(Handoff.state == requests.ASSIGNED)
            .order_by(Handoff.claimed_at, Handoff.id)
        )
    ).all()
    return [QueueItem(h, c) for h, c in rows]


async def assigned_to(session: AsyncSession, *, agent_id: int) -> list[QueueItem]:
    rows = (
        await session.execute(
            sa.select(Handoff, Conversation)
            .join(Conversation, Conversation.id == Handoff.conversation_id)
            .where(Handoff.agent_id == agent_id, Handoff.state == requests.ASSIGNED)
            .order_by(Handoff.claimed_at)
        )
    ).all()
    return [QueueItem(h, c) for h, c in rows]


async def claim(session: AsyncSession, *, agent: Agent, handoff_id: int) -> bool:
    """Give the waiting handoff to ``agent``; False if someone else got it first (or it ended)."""
    now = utcnow()
    result = await session.execute(
        sa.update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.agent_id.is_(None), Handoff.state == requests.WAITING)
        .values(agent_id=agent.id, state=requests.ASSIGNED, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    agent.last_assigned_at = now
    await session.flush()
    return True


async def claim_next(session: AsyncSession, *, agent: Agent) -> Handoff | None:
    """Claim the most urgent waiting handoff the agent can take; None when there is none."""
    postgres = session.get_bind().dialect.name == "postgresql"
    for handoff, _conversation in (await session.execute(_waiting_query().limit(50))).all():
        if not can_take(agent, handoff):
            continue
        if postgres and not await _lock_unless_taken(session, handoff.id):
            continue  # another agent is claiming this one right now: try the next
        if await claim(session, agent=agent, handoff_id=handoff.id):
            await session.refresh(handoff)
            return handoff
    return None


async def _lock_unless_taken(session: AsyncSession, handoff_id: int) -> bool:
    """PostgreSQL: lock the still-waiting row, skipping it if another transaction holds it."""
    query = (
        sa.select(Handoff.id)
        .where(Handoff.id == handoff_id, Handoff.agent_id.is_(None), Handoff.state == requests.WAITING)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalar_one_or_none() is not None


async def position(session: AsyncSession, *, handoff: Handoff) -> int:
    """1 + the waiting handoffs in the same language that will be served before this one."""
    ahead = sa.or_(
        Handoff.priority > handoff.priority,
        sa.and_(Handoff.priority == handoff.priority, Handoff.requested_at < handoff.requested_at),
        sa.and_(
            Handoff.priority == handoff.priority,
            Handoff.requested_at == handoff.requested_at,
            Handoff.id < handoff.id,
        ),
    )
    query = (
        sa.select(sa.func.count(Handoff.id))
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(
            Handoff.state == requests.WAITING,
            Conversation.status == ConversationStatus.OPEN,
            Handoff.id != handoff.id,
            ahead,
        )
    )
    if handoff.language:
        query = query.where(Handoff.language == handoff.language)
    return 1 + int(await session.scalar(query) or 0)


async def estimated_wait(
    session: AsyncSession, *, position: int, language: str | None, default_handle_seconds: float
) -> float | None:
    """Seconds until an agent joins: position x recent handling time / agents online for the language.

    Handling time is the mean of the last handled conversations (claim to end), the default when
    there are none. None when no agent who speaks the language is online.
    """
    agents = (await session.execute(sa.select(Agent).where(Agent.status == "online"))).scalars()
    online = [a for a in agents if not language or language in (a.languages or [])]
    if not online:
        return None
    recent = (
        await session.execute(
            sa.select(Handoff.claimed_at, Handoff.ended_at)
            .where(Handoff.claimed_at.is_not(None), Handoff.ended_at.is_not(None))
            .order_by(Handoff.ended_at.desc())
            .limit(_RECENT_HANDLED)
        )
    ).all()
    durations = [
        (ended - claimed).total_seconds()
        for claimed, ended in recent
        if claimed is not None and ended is not None and ended >= claimed
    ]
    handle = sum(durations) / len(durations) if durations else default_handle_seconds
    return position * handle / len(online)


async def auto_assign(session: AsyncSession, *, handoff: Handoff) -> Agent | None:
    """Round-robin: the online agent with room who got a conversation longest ago takes it."""
    agents = (await session.execute(sa.select(Agent).where(Agent.status == "online"))).scalars()
    never = datetime.min.replace(tzinfo=utcnow().tzinfo)
    ordered = sorted(agents, key=lambda a: (a.last_assigned_at or never, a.id))
    for agent in ordered:
        if not can_take(agent, handoff):
            continue
        if await load(session, agent_id=agent.id) >= agent.max_concurrent:
            continue
        if await claim(session, agent=agent, handoff_id=handoff.id):
            return agent
        return None  # someone claimed it meanwhile
    return None
