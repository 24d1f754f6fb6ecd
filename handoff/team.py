"""Admins manage the agents: create, change (name, role, languages, skills, capacity), disable or enable,
reset a password to a temporary one.

Every change is an audit event in the hub's ``events`` table, with no conversation: ``agent_created``,
``agent_updated`` (``{"agent_id", "by_agent_id", "changes": {field: [before, after]}}``),
``agent_disabled``, ``agent_enabled`` and ``agent_password_reset`` (never the password). A disabled
agent's sessions end at once (their consoles go back to the login form) and every conversation they
had goes back (handoff/release.py). A password reset ends their sessions too. An admin cannot disable
themselves or drop their own admin role, so a desk always keeps the admin who is acting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents, desk, permissions, release
from handoff.errors import AgentEmailTaken, AgentNotFound, OwnAccount
from handoff.models import ADMIN, Agent, AgentToken
from handoff.queue_notices import QueueNotices
from handoff.schemas import AgentCreateIn, AgentUpdateIn
from hub.broadcast import Broadcast
from hub.bus import Database
from hub.delivery import Delivery
from hub.models import Event

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = ["AGENTS_CHANGED", "Team", "audit", "session_keys"]

#: A frame on the agents' topic: someone's status, load or account changed (supervisors' view re-reads).
AGENTS_CHANGED = {"type": "agents_changed"}


async def audit(session: AsyncSession, kind: str, *, agent: Agent, by: Agent, **data: Any) -> None:
    session.add(
        Event(conversation_id=None, kind=kind, data={"agent_id": agent.id, "by_agent_id": by.id, **data})
    )
    await session.flush()


async def session_keys(session: AsyncSession, agent_id: int) -> list[str]:
    """What a logout announces for each open session of the agent (agents.session_key of its token)."""
    hashes = await session.scalars(sa.select(AgentToken.token_hash).where(AgentToken.agent_id == agent_id))
    return [token_hash[:24] for token_hash in hashes]


class Team:
    """The admin's commands, on the hub database, delivery and the agents' topic."""

    def __init__(
        self,
        *,
        db: Database,
        delivery: Delivery,
        broadcast: Broadcast,
        notices: QueueNotices,
        settings: HandoffSettings,
    ) -> None:
        self._db = db
        self._broadcast = broadcast
        self._settings = settings
        self._departures = release.Departures(
            db=db, delivery=delivery, broadcast=broadcast, notices=notices, settings=settings
        )

    async def _admin(self, session: AsyncSession, admin_id: int) -> Agent:
        admin = await agents.get(session, agent_id=admin_id)
        if admin is None:
            raise AgentNotFound(admin_id)
        permissions.require_admin(admin)
        return admin

    async def _agent(self, session: AsyncSession, agent_id: int) -> Agent:
        agent = await agents.get(session, agent_id=agent_id)
        if agent is None:
            raise AgentNotFound(agent_id)
        return agent

    async def create(self, *, admin_id: int, body: AgentCreateIn) -> Agent:
        """409 ``agent_email_taken`` when the email is someone's already."""
        async with self._db.sessions.begin() as session:
            admin = await self._admin(session, admin_id)
            if await agents.get_by_email(session, email=body.email) is not None:
                raise AgentEmailTaken(body.email)
            agent = await agents.create(
                session,
                email=body.email,
                name=body.name,
                password=body.password,
                languages=body.languages,
                skills=body.skills,
                max_concurrent=body.max_concurrent,
                role=body.role,
            )
            agent.password_temporary = True
            await audit(session, "agent_created", agent=agent, by=admin, role=agent.role)
        await desk.publish_queue(self._broadcast, AGENTS_CHANGED)
        return agent

    async def update(self, *, admin_id: int, agent_id: int, body: AgentUpdateIn) -> Agent:
        """Only the fields given change; 409 ``own_account`` for disabling or demoting oneself."""
        wanted = body.model_dump(exclude_unset=True, exclude_none=True)
        uow = self._db.unit_of_work()
        released = release.Released()
        ended: list[str] = []
        async with uow.transaction() as session:
            admin = await self._admin(session, admin_id)
            agent = await self._agent(session, agent_id)
            if agent.id == admin.id and (wanted.get("disabled") or wanted.get("role", ADMIN) != ADMIN):
                raise OwnAccount()
            changes: dict[str, list[Any]] = {}
            for field in ("name", "role", "languages", "skills", "max_concurrent"):
                if field in wanted and getattr(agent, field) != wanted[field]:
                    changes[field] = [getattr(agent, field), wanted[field]]
                    setattr(agent, field, wanted[field])
            if changes:
                await audit(session, "agent_updated", agent=agent, by=admin, changes=changes)
            disabled = wanted.get("disabled")
            if disabled is not None and disabled != (agent.disabled_at is not None):
                if disabled:
                    ended = await session_keys(session, agent.id)
                await agents.set_disabled(session, agent=agent, disabled=disabled)
                if disabled:
                    released = await release.release(
                        session, agent=agent, why="disabled", settings=self._settings, everything=True
                    )
                await audit(session, "agent_disabled" if disabled else "agent_enabled", agent=agent, by=admin)
        await self._sessions_ended(ended)
        await self._departures.after(uow, released)
        await desk.publish_queue(self._broadcast, AGENTS_CHANGED)
        return agent

    async def reset_password(self, *, admin_id: int, agent_id: int, password: str) -> Agent:
        """A temporary password the admin tells the agent: the login is unlocked, their sessions end."""
        async with self._db.sessions.begin() as session:
            admin = await self._admin(session, admin_id)
            agent = await self._agent(session, agent_id)
            ended = await session_keys(session, agent.id)
            await agents.set_password(session, agent=agent, password=password, temporary=True)
            await audit(session, "agent_password_reset", agent=agent, by=admin)
        await self._sessions_ended(ended)
        return agent

    async def _sessions_ended(self, keys: list[str]) -> None:
        for key in keys:  # the consoles and conversation sockets of those logins close (4401)
            await self._broadcast.publish(agents.SESSIONS_TOPIC, {"type": "logged_out", "session": key})
