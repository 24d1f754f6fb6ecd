"""``Annotated`` dependencies: the signed-in agent (``Authorization: Bearer <token>``), the desk's parts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from handoff import agents
from handoff.desk import Desk
from handoff.errors import NotAuthenticated
from handoff.models import Agent
from handoff.queue_notices import QueueNotices
from handoff.rasa_tracker import RasaTracker
from handoff.release import Departures
from handoff.settings import HandoffSettings
from handoff.supervision import Supervision
from handoff.team import Team
from hub.api.deps import (
    BroadcastDep,
    DatabaseDep,
    DeliveryDep,
    HttpDep,
    OptionalTokenDep,
    SessionsDep,
    SettingsDep,
)

__all__ = [
    "AgentDep",
    "DeparturesDep",
    "DeskDep",
    "HandoffSettingsDep",
    "OptionalTokenDep",
    "SupervisionDep",
    "TeamDep",
    "TokenDep",
    "TrackerDep",
]


def get_token(token: OptionalTokenDep) -> str:
    if token is None:
        raise NotAuthenticated()
    return token


TokenDep = Annotated[str, Depends(get_token)]


async def get_agent(sessions: SessionsDep, token: TokenDep) -> Agent:
    async with sessions() as session:
        agent = await agents.authenticate(session, token=token)
    if agent is None:
        raise NotAuthenticated()
    return agent


AgentDep = Annotated[Agent, Depends(get_agent)]


def get_handoff_settings(connection: HTTPConnection) -> HandoffSettings:
    """The desk's settings, put on the app by handoff.plugin.mount."""
    settings: HandoffSettings = connection.app.state.handoff_settings
    return settings


HandoffSettingsDep = Annotated[HandoffSettings, Depends(get_handoff_settings)]


def get_desk(
    db: DatabaseDep, delivery: DeliveryDep, broadcast: BroadcastDep, settings: HandoffSettingsDep
) -> Desk:
    notices = QueueNotices(sessions=db.sessions, settings=settings, delivery=delivery)
    return Desk(db=db, delivery=delivery, broadcast=broadcast, notices=notices)


def get_tracker(sessions: SessionsDep, http: HttpDep, settings: SettingsDep) -> RasaTracker:
    return RasaTracker(
        sessions=sessions, http=http, rasa_url=settings.rasa_url, rasa_token=settings.rasa_token
    )


DeskDep = Annotated[Desk, Depends(get_desk)]
TrackerDep = Annotated[RasaTracker, Depends(get_tracker)]


def get_supervision(
    db: DatabaseDep, delivery: DeliveryDep, broadcast: BroadcastDep, settings: HandoffSettingsDep
) -> Supervision:
    notices = QueueNotices(sessions=db.sessions, settings=settings, delivery=delivery)
    return Supervision(db=db, delivery=delivery, broadcast=broadcast, notices=notices)


def get_departures(
    db: DatabaseDep, delivery: DeliveryDep, broadcast: BroadcastDep, settings: HandoffSettingsDep
) -> Departures:
    notices = QueueNotices(sessions=db.sessions, settings=settings, delivery=delivery)
    return Departures(db=db, delivery=delivery, broadcast=broadcast, notices=notices, settings=settings)


def get_team(
    db: DatabaseDep, delivery: DeliveryDep, broadcast: BroadcastDep, settings: HandoffSettingsDep
) -> Team:
    notices = QueueNotices(sessions=db.sessions, settings=settings, delivery=delivery)
    return Team(db=db, delivery=delivery, broadcast=broadcast, notices=notices, settings=settings)


SupervisionDep = Annotated[Supervision, Depends(get_supervision)]
DeparturesDep = Annotated[Departures, Depends(get_departures)]
TeamDep = Annotated[Team, Depends(get_team)]
