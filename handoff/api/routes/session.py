"""Agent login, logout, who am I, presence (online/away/offline), the team list."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter

from handoff import agents, desk, permissions, queue
from handoff.api.deps import AgentDep, DeparturesDep, HandoffSettingsDep, TokenDep
from handoff.errors import InvalidCredentials, PasswordUnchanged, WrongPassword
from handoff.passwords import verify_password
from handoff.schemas import AgentOut, LoginIn, LoginOut, PasswordChangeIn, StatusIn
from handoff.team import AGENTS_CHANGED, audit, session_keys
from hub.api.deps import BroadcastDep, DatabaseDep, SessionsDep
from hub.models import utcnow

__all__ = ["router"]

router = APIRouter(tags=["agent"])


@router.post("/login", response_model=LoginOut)
async def login(body: LoginIn, sessions: SessionsDep, settings: HandoffSettingsDep) -> LoginOut:
    """Email + password -> a bearer token (401 ``invalid_credentials`` otherwise; 429
    ``login_locked`` after 5 wrong passwords in a row, for 15 minutes; 403 ``agent_disabled``)."""
    ttl = timedelta(hours=settings.agent_token_ttl_hours)
    try:
        async with sessions.begin() as session:
            agent, token = await agents.login(session, email=body.email, password=body.password,
                                              ttl=ttl)
            active = await queue.load(session, agent_id=agent.id)
    except InvalidCredentials:
        async with sessions.begin() as session:  # counted even though login failed
            await agents.record_failed_login(session, email=body.email)
        raise
    return LoginOut(token=token, expires_at=utcnow() + ttl, agent=AgentOut.of(agent, active))


@router.post("/logout", status_code=204)
async def logout(
    departures: DeparturesDep, broadcast: BroadcastDep, token: TokenDep, agent: AgentDep
) -> None:
    """End this login session (the token stops working); presence goes offline, and the conversations
    assigned to me that nobody answered yet go back (HANDOFF_RETURN_TO: the queue by default)."""
    await departures.leave(agent_id=agent.id, why="logout", token=token)
    # after the commit: the sockets this login opened close (the console, conversation views)
    await broadcast.publish(
        agents.SESSIONS_TOPIC, {"type": "logged_out", "session": agents.session_key(token)})
    await desk.publish_queue(broadcast, AGENTS_CHANGED)


@router.get("/me", response_model=AgentOut)
async def me(agent: AgentDep, sessions: SessionsDep) -> AgentOut:
    async with sessions() as session:
        active = await queue.load(session, agent_id=agent.id)
    return AgentOut.of(agent, active)


@router.put("/me/status", response_model=AgentOut)
async def set_status(
    body: StatusIn, agent: AgentDep, db: DatabaseDep, departures: DeparturesDep, broadcast: BroadcastDep
) -> AgentOut:
    """online: new conversations may be assigned; away: keep yours, get none new; offline: the
    conversations nobody answered yet go back (HANDOFF_RETURN_TO), the answered ones stay yours."""
    if body.status == "offline":
        await departures.leave(agent_id=agent.id, why="offline")
    else:
        async with db.unit_of_work() as uow, uow.transaction() as session:
            current = await agents.get(session, agent_id=agent.id)
            assert current is not None
            await agents.set_status(session, agent=current, status=body.status)
    async with db.sessions() as session:
        current = await agents.get(session, agent_id=agent.id)
        assert current is not None
        active = await queue.load(session, agent_id=agent.id)
    await desk.publish_queue(broadcast, AGENTS_CHANGED)
    return AgentOut.of(current, active)


@router.put("/me/password", response_model=AgentOut)
async def change_password(
    body: PasswordChangeIn, agent: AgentDep, token: TokenDep, db: DatabaseDep, broadcast: BroadcastDep
) -> AgentOut:
    """Choose my own password (after an admin gave me a temporary one, or whenever): this login stays,
    my other sessions end. 403 ``wrong_password`` (counted like a wrong login), 422
    ``password_unchanged`` / ``invalid_request``."""
    if body.new_password == body.current_password:
        raise PasswordUnchanged()
    if not await asyncio.to_thread(verify_password, body.current_password, agent.password_hash):
        async with db.sessions.begin() as session:  # counts like a wrong login (locks after 5)
            await agents.record_failed_login(session, email=agent.email)
        raise WrongPassword()
    async with db.sessions.begin() as session:
        current = await agents.get(session, agent_id=agent.id)
        assert current is not None
        ended = [key for key in await session_keys(session, current.id) if key != agents.session_key(token)]
        await agents.set_password(session, agent=current, password=body.new_password, keep_token=token)
        await audit(session, "agent_password_changed", agent=current, by=current)
        active = await queue.load(session, agent_id=current.id)
    for key in ended:
        await broadcast.publish(agents.SESSIONS_TOPIC, {"type": "logged_out", "session": key})
    return AgentOut.of(current, active)


@router.get("/agents", response_model=list[AgentOut])
async def list_agents(agent: AgentDep, sessions: SessionsDep) -> list[AgentOut]:
    """Everyone on the team (to transfer a conversation to), with their status and load; disabled
    agents only for an admin (who manages them: POST/PATCH /agents)."""
    async with sessions() as session:
        rows = await agents.list_all(session)
        loads = await queue.loads(session)
    admin = permissions.is_admin(agent)
    return [AgentOut.of(a, loads.get(a.id, 0)) for a in rows if admin or a.disabled_at is None]
