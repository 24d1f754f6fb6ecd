"""Admins manage the agents (handoff/team.py): create, change, disable or enable, reset a password.

Every route is for admins only (403 ``admin_only``); the list is ``GET /agents`` (handoff/api/routes/
session.py), which shows an admin the disabled agents too.
"""

from __future__ import annotations

from fastapi import APIRouter

from handoff import queue
from handoff.api.deps import AgentDep, TeamDep
from handoff.schemas import AgentCreateIn, AgentOut, AgentUpdateIn, PasswordResetIn
from hub.api.deps import SessionsDep

__all__ = ["router"]

router = APIRouter(prefix="/agents", tags=["agent"])


async def _out(sessions: SessionsDep, agent_id: int, out: AgentOut) -> AgentOut:
    async with sessions() as session:
        return out.model_copy(update={"active_conversations": await queue.load(session, agent_id=agent_id)})


@router.post("", response_model=AgentOut, status_code=201)
async def create_agent(body: AgentCreateIn, agent: AgentDep, team: TeamDep) -> AgentOut:
    """A new agent with a temporary password to tell them (409 ``agent_email_taken``); offline until
    they log in."""
    return AgentOut.of(await team.create(admin_id=agent.id, body=body))


@router.patch("/{agent_id}", response_model=AgentOut)
async def update_agent(
    agent_id: int, body: AgentUpdateIn, agent: AgentDep, team: TeamDep, sessions: SessionsDep
) -> AgentOut:
    """Name, role, languages, skills, capacity, ``disabled`` (their sessions end and every conversation
    they had goes back: HANDOFF_RETURN_TO). 404 ``agent_not_found``; 409 ``own_account`` for disabling
    or demoting yourself."""
    changed = await team.update(admin_id=agent.id, agent_id=agent_id, body=body)
    return await _out(sessions, agent_id, AgentOut.of(changed))


@router.post("/{agent_id}/password", response_model=AgentOut)
async def reset_password(
    agent_id: int, body: PasswordResetIn, agent: AgentDep, team: TeamDep, sessions: SessionsDep
) -> AgentOut:
    """Set a temporary password to tell the agent: the login is unlocked and their sessions end."""
    changed = await team.reset_password(admin_id=agent.id, agent_id=agent_id, password=body.password)
    return await _out(sessions, agent_id, AgentOut.of(changed))
