"""How the handoff desk plugs into the hub: its seams (hub/seams.py), listeners, sweep and routes.

Called by the composition root (mostrador/wiring.py); the hub itself never imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents, permissions, requests
from handoff.abandonment import Abandonment
from handoff.api import agent_router, console_router
from handoff.desk import Desk
from handoff.listeners import Listeners
from handoff.queue_notices import QueueNotices
from handoff.rasa_tracker import RasaTracker
from handoff.settings import HandoffSettings
from handoff.turn_policy import DeskPolicy
from handoff.wait_alerts import WaitAlerts
from hub.schemas import HandoffOut
from hub.services import Services

__all__ = ["Agents", "Handoffs", "build_abandonment", "build_desk", "build_tracker", "install", "mount"]


class Agents:
    """hub.seams.AgentDirectory: a token is an agent's when it logs one in."""

    async def is_agent(self, session: AsyncSession, *, token: str) -> bool:
        return await agents.authenticate(session, token=token) is not None

    async def may_read(self, session: AsyncSession, *, token: str, conversation_id: int) -> bool:
        agent = await agents.authenticate(session, token=token)
        return agent is not None and await permissions.may_read(
            session, agent=agent, conversation_id=conversation_id
        )

    def logout_watch(self, token: str) -> tuple[str, str] | None:
        return agents.SESSIONS_TOPIC, agents.session_key(token)

    async def is_supervisor(self, session: AsyncSession, *, token: str) -> bool:
        agent = await agents.authenticate(session, token=token)
        return agent is not None and permissions.is_supervisor(agent)


class Handoffs:
    """hub.seams.HandoffView: the latest handoff request shown with a conversation."""

    async def latest(self, session: AsyncSession, *, conversation_id: int) -> HandoffOut | None:
        found = await requests.list_for_conversation(session, conversation_id=conversation_id)
        return HandoffOut.of(found[-1]) if found else None


def build_desk(services: Services, settings: HandoffSettings) -> Desk:
    """The agents' commands on built resources (the API builds the same per request: handoff/api/deps.py)."""
    notices = QueueNotices(sessions=services.sessions, settings=settings, delivery=services.delivery)
    return Desk(db=services.db, delivery=services.delivery, broadcast=services.broadcast, notices=notices)


def build_abandonment(services: Services, settings: HandoffSettings) -> Abandonment:
    return Abandonment(
        db=services.db,
        delivery=services.delivery,
        broadcast=services.broadcast,
        notices=QueueNotices(sessions=services.sessions, settings=settings, delivery=services.delivery),
        settings=settings,
    )


def build_tracker(services: Services) -> RasaTracker:
    """Rasa's tracker API and the outbox of pause/resume events (handoff/rasa_tracker.py)."""
    settings = services.settings
    return RasaTracker(
        sessions=services.sessions,
        http=services.http,
        rasa_url=settings.rasa_url,
        rasa_token=settings.rasa_token,
    )


def install(services: Services, settings: HandoffSettings) -> None:
    """Plug the desk into the hub's built resources (web process and worker alike): the seams, the
    listeners on the bus and the sweeps, each given the parts it uses and the desk's own settings."""
    tracker = build_tracker(services)
    services.seams.policy = DeskPolicy(settings)
    services.seams.agents = Agents()
    services.seams.handoffs = Handoffs()
    services.seams.tasks.append(("handoff-abandonment", build_abandonment(services, settings).run))
    services.seams.tasks.append(("rasa-tracker-outbox", tracker.run))
    alerts = WaitAlerts(sessions=services.sessions, broadcast=services.broadcast, settings=settings)
    services.seams.tasks.append(("handoff-wait-alerts", alerts.run))
    Listeners(
        db=services.db,
        delivery=services.delivery,
        broadcast=services.broadcast,
        tracker=tracker,
        notices=QueueNotices(sessions=services.sessions, settings=settings, delivery=services.delivery),
        settings=settings,
    ).subscribe(services.bus)


def mount(app: FastAPI, settings: HandoffSettings) -> None:
    """The agent API (/api/v1/agent) and the console (/agent); the API's dependencies read the desk's
    settings from ``app.state.handoff_settings`` (handoff/api/deps.py)."""
    app.state.handoff_settings = settings
    app.include_router(agent_router)
    app.include_router(console_router)
