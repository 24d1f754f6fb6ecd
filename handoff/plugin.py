"""How the handoff desk plugs into the hub: its seams (hub/seams.py), listeners, sweep and routes.

Called by the composition root (mostrador/wiring.py); the hub itself never imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import abandonment, agents, permissions, rasa_tracker, requests
from handoff.api import agent_router, console_router
from handoff.listeners import Listeners
from handoff.turn_policy import DeskPolicy
from hub.schemas import HandoffOut
from hub.services import Services

__all__ = ["Agents", "Handoffs", "install", "mount"]


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


class Handoffs:
    """hub.seams.HandoffView: the latest handoff request shown with a conversation."""

    async def latest(self, session: AsyncSession, *, conversation_id: int) -> HandoffOut | None:
        found = await requests.list_for_conversation(session, conversation_id=conversation_id)
        return HandoffOut.of(found[-1]) if found else None


def install(services: Services) -> None:
    """Plug the desk into built services (web process and worker alike)."""
    services.seams.policy = DeskPolicy(services.settings)
    services.seams.agents = Agents()
    services.seams.handoffs = Handoffs()
    services.seams.tasks.append(("handoff-abandonment", abandonment.run))
    services.seams.tasks.append(("rasa-tracker-outbox", rasa_tracker.run))
    Listeners(services).subscribe(services.bus)


def mount(app: FastAPI) -> None:
    """The agent API (/api/v1/agent) and the console (/agent)."""
    app.include_router(agent_router)
    app.include_router(console_router)
