"""FastAPI dependencies as ``Annotated`` aliases: each route takes the parts it uses.

The parts are built once at start (hub/services.py, by the lifespan in hub/app.py) and kept on
``app.state.services``; only this module reads that container. ``HTTPConnection`` serves HTTP routes and
websockets alike. The getters are ``async def``: FastAPI runs a plain ``def`` dependency in its thread pool,
a thread hop per dependency per request (the WhatsApp webhook took six).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Annotated

import httpx
from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from hub.bot import RasaClient
from hub.broadcast import Broadcast
from hub.bus import Database
from hub.channels.base import Channel
from hub.delivery import Delivery
from hub.intake import Receiver
from hub.seams import AgentDirectory, HandoffView, TurnPolicy
from hub.services import Services
from hub.settings import Settings

__all__ = [
    "AgentsDep",
    "BroadcastDep",
    "ChannelsDep",
    "DatabaseDep",
    "DeliveryDep",
    "HandoffsDep",
    "HttpDep",
    "OptionalTokenDep",
    "PolicyDep",
    "RasaDep",
    "ReceiverDep",
    "SessionDep",
    "SessionsDep",
    "SettingsDep",
]

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/agent/login")


def _built(connection: HTTPConnection) -> Services:
    services: Services = connection.app.state.services
    return services


async def get_settings(connection: HTTPConnection) -> Settings:
    return _built(connection).settings


async def get_database(connection: HTTPConnection) -> Database:
    return _built(connection).db


async def get_sessions(connection: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    return _built(connection).sessions


async def get_delivery(connection: HTTPConnection) -> Delivery:
    return _built(connection).delivery


async def get_broadcast(connection: HTTPConnection) -> Broadcast:
    return _built(connection).broadcast


async def get_channels(connection: HTTPConnection) -> Mapping[str, Channel]:
    return _built(connection).channels


async def get_rasa(connection: HTTPConnection) -> RasaClient:
    return _built(connection).rasa


async def get_http(connection: HTTPConnection) -> httpx.AsyncClient:
    return _built(connection).http


async def get_agents(connection: HTTPConnection) -> AgentDirectory:
    return _built(connection).seams.agents


async def get_handoffs(connection: HTTPConnection) -> HandoffView:
    return _built(connection).seams.handoffs


async def get_policy(connection: HTTPConnection) -> TurnPolicy:
    return _built(connection).seams.policy


async def get_receiver(connection: HTTPConnection) -> Receiver:
    return _built(connection).receiver


async def get_session(
    sessions: Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)],
) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
DeliveryDep = Annotated[Delivery, Depends(get_delivery)]
BroadcastDep = Annotated[Broadcast, Depends(get_broadcast)]
ChannelsDep = Annotated[Mapping[str, Channel], Depends(get_channels)]
RasaDep = Annotated[RasaClient, Depends(get_rasa)]
HttpDep = Annotated[httpx.AsyncClient, Depends(get_http)]
AgentsDep = Annotated[AgentDirectory, Depends(get_agents)]
HandoffsDep = Annotated[HandoffView, Depends(get_handoffs)]
ReceiverDep = Annotated[Receiver, Depends(get_receiver)]
PolicyDep = Annotated[TurnPolicy, Depends(get_policy)]


async def get_optional_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    """The bearer token if one was sent (endpoints that customers may also call)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        return None
    return credentials.credentials


OptionalTokenDep = Annotated[str | None, Depends(get_optional_token)]
