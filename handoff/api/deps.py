"""The signed-in agent as an ``Annotated`` dependency (``Authorization: Bearer <token>``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from handoff import agents
from handoff.errors import NotAuthenticated
from handoff.models import Agent
from hub.api.deps import ServicesDep

__all__ = ["AgentDep", "OptionalTokenDep", "TokenDep"]

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/agent/login")


def get_optional_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    """The bearer token if one was sent (endpoints that customers may also call)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        return None
    return credentials.credentials


OptionalTokenDep = Annotated[str | None, Depends(get_optional_token)]


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
