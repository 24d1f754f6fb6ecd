"""FastAPI dependencies as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from hub.services import Services
from hub.settings import Settings

__all__ = ["OptionalTokenDep", "ServicesDep", "SessionDep", "SettingsDep", "WsServicesDep"]

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/agent/login")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def get_ws_services(websocket: WebSocket) -> Services:
    services: Services = websocket.app.state.services
    return services


def get_settings(services: Annotated[Services, Depends(get_services)]) -> Settings:
    return services.settings


async def get_session(
    services: Annotated[Services, Depends(get_services)],
) -> AsyncIterator[AsyncSession]:
    async with services.sessions() as session:
        yield session


ServicesDep = Annotated[Services, Depends(get_services)]
WsServicesDep = Annotated[Services, Depends(get_ws_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


def get_optional_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    """The bearer token if one was sent (endpoints that customers may also call)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        return None
    return credentials.credentials


OptionalTokenDep = Annotated[str | None, Depends(get_optional_token)]
