"""The signed-in agent as an ``Annotated`` dependency (``Authorization: Bearer <token>``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from handoff import agents
from handoff.errors import NotAuthenticated
from handoff.models import Agent
from hub.api.deps import OptionalTokenDep, ServicesDep

__all__ = ["AgentDep", "OptionalTokenDep", "TokenDep"]

def get_token(token: OptionalTokenDep) -> str:
    if token is None:
        raise NotAuthenticated()
    return token


TokenDep = Annotated[str, Depends(get_token)]


async def get_agent(services: ServicesDep, token: TokenDep) -> Agent:
    async with services.sessions() as session:
        agent = await agents.authenticate(session, token=token)
    if agent is None:
        raise NotAuthenticated()
    return agent


AgentDep = Annotated[Agent, Depends(get_agent)]
