"""Agent accounts: create, log in (bearer token), authenticate, presence, languages and skills.

Tokens are random (``secrets.token_urlsafe``); only their SHA-256 is stored, with an expiry.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.errors import AgentDisabled, InvalidCredentials, LoginLocked
from handoff.models import AGENT_ROLES, AGENT_STATUSES, Agent, AgentToken
from handoff.passwords import hash_password, needs_rehash, verify_password
from hub.bus import EventName, emit
from hub.models import utcnow

log = logging.getLogger(__name__)

__all__ = [
    "authenticate",
    "create",
    "get",
    "get_by_email",
    "list_all",
    "login",
    "logout",
    "parse_list",
    "set_status",
]


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so timing does not reveal which emails exist."""
    return hash_password("not-a-real-password")


def parse_list(value: str | list[str] | None) -> list[str]:
    """ "es, en" or ["es", "en"] -> ["es", "en"] (lower-case, no blanks, no duplicates)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    seen: list[str] = []
    for item in items:
        clean = item.strip().lower()
        if clean and clean not in seen:
            seen.append(clean)
    return seen


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    languages: list[str],
    skills: list[str] | None = None,
    max_concurrent: int = 3,
    role: str = "agent",
) -> Agent:
    """A new agent (offline until they log in and go online). Email is unique, case-insensitive.

    ``role``: ``agent`` or ``supervisor`` (handoff/permissions.py)."""
    if role not in AGENT_ROLES:
        raise ValueError(f"role must be one of {', '.join(AGENT_ROLES)}, not {role!r}")
    hashed = await asyncio.to_thread(hash_password, password)
    agent = Agent(
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=hashed,
        status="offline",
        languages=parse_list(languages) or ["es"],
        skills=parse_list(skills),
        max_concurrent=max_concurrent,
        role=role,
    )
    session.add(agent)
    await session.flush()
    return agent


async def get(session: AsyncSession, *, agent_id: int) -> Agent | None:
    return await session.get(Agent, agent_id)


async def get_by_email(session: AsyncSession, *, email: str) -> Agent | None:
    query = sa.select(Agent).where(Agent.email == email.strip().lower())
    return (await session.execute(query)).scalar_one_or_none()


async def list_all(session: AsyncSession) -> list[Agent]:
    return list((await session.execute(sa.select(Agent).order_by(Agent.id))).scalars())


#: wrong passwords in a row that lock a login, and for how long (an online guesser gets ~5 tries
#: per 15 minutes; the right password is refused too while locked)
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)


async def login(session: AsyncSession, *, email: str, password: str, ttl: timedelta) -> tuple[Agent, str]:
    """Check the password and open a session: (agent, bearer token). ``LoginLocked`` while
    locked (no password is checked), ``InvalidCredentials`` for a wrong one (the caller records
    it with ``record_failed_login`` in its own transaction), ``AgentDisabled`` for a disabled
    account with the right password. A hash made with weaker parameters is upgraded."""
    agent = await get_by_email(session, email=email)
    now = utcnow()
    if agent is not None and agent.locked_until is not None and agent.locked_until > now:
        raise LoginLocked(max(1, math.ceil((agent.locked_until - now).total_seconds() / 60)))
    stored = agent.password_hash if agent is not None else _dummy_hash()
    matches = await asyncio.to_thread(verify_password, password, stored)
    if agent is None or not matches:
        raise InvalidCredentials()
    if agent.disabled_at is not None:
        raise AgentDisabled()
    agent.failed_logins, agent.locked_until = 0, None
    if needs_rehash(agent.password_hash):
        agent.password_hash = await asyncio.to_thread(hash_password, password)
    token = secrets.token_urlsafe(32)
    session.add(
        AgentToken(agent_id=agent.id, token_hash=_token_hash(token), created_at=now, expires_at=now + ttl)
    )
    await session.flush()
    return agent, token


async def record_failed_login(session: AsyncSession, *, email: str) -> None:
    """One more wrong password for ``email`` (if it is an agent's): locks it at LOCK_AFTER."""
    agent = await session.scalar(
        sa.select(Agent).where(Agent.email == email.strip().lower()).with_for_update())
    if agent is None:
        return
    agent.failed_logins += 1
    if agent.failed_logins >= LOCK_AFTER:
        agent.failed_logins, agent.locked_until = 0, utcnow() + LOCK_FOR
        log.warning("agent login locked after repeated wrong passwords",
                    extra={"agent_id": agent.id, "minutes": LOCK_FOR.total_seconds() // 60})


async def set_password(
    session: AsyncSession,
    *,
    agent: Agent,
    password: str,
    temporary: bool = False,
    keep_token: str | None = None,
) -> None:
    """A new password: unlocks the login and ends every open session (but ``keep_token``'s, the agent's
    own when they change it). ``temporary``: an admin set it; the console asks the agent for their own."""
    agent.password_hash = await asyncio.to_thread(hash_password, password)
    agent.failed_logins, agent.locked_until = 0, None
    agent.password_temporary = temporary
    ended = sa.delete(AgentToken).where(AgentToken.agent_id == agent.id)
    if keep_token is not None:
        ended = ended.where(AgentToken.token_hash != _token_hash(keep_token))
    await session.execute(ended)


async def set_disabled(session: AsyncSession, *, agent: Agent, disabled: bool) -> None:
    """Disable (no login, every session ended, offline) or enable an agent."""
    agent.disabled_at = utcnow() if disabled else None
    if disabled:
        await session.execute(sa.delete(AgentToken).where(AgentToken.agent_id == agent.id))
        await set_status(session, agent=agent, status="offline")


async def authenticate(session: AsyncSession, *, token: str) -> Agent | None:
    """The agent a live (unexpired) bearer token belongs to, or None."""
    query = (
        sa.select(Agent)
        .join(AgentToken, AgentToken.agent_id == Agent.id)
        .where(AgentToken.token_hash == _token_hash(token), AgentToken.expires_at > utcnow(),
               Agent.disabled_at.is_(None))
    )
    return (await session.execute(query)).scalar_one_or_none()


async def logout(session: AsyncSession, *, token: str) -> None:
    await session.execute(sa.delete(AgentToken).where(AgentToken.token_hash == _token_hash(token)))


#: broadcast topic on which a logout is announced, so sockets opened with that token close
SESSIONS_TOPIC = "agent-sessions"


def session_key(token: str) -> str:
    """What a logout announces: a prefix of the token's hash, never the token."""
    return _token_hash(token)[:24]


async def set_status(session: AsyncSession, *, agent: Agent, status: str) -> Agent:
    """online (gets conversations), away (keeps its own, gets no new ones) or offline."""
    if status not in AGENT_STATUSES:
        raise ValueError(f"status must be one of {AGENT_STATUSES}, got {status!r}")
    before, agent.status = agent.status, status
    await session.flush()
    if before != status and "online" in (before, status):  # agent.online / agent.offline after commit
        name = EventName.AGENT_ONLINE if status == "online" else EventName.AGENT_OFFLINE
        emit(session, name, agent_id=agent.id, status=status)
    return agent
