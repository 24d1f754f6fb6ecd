"""One router per resource of the agent API, all under /api/v1/agent."""

from fastapi import APIRouter

from handoff.api.routes import (
    canned,
    contacts,
    conversations,
    labels,
    links,
    privacy,
    queue,
    session,
    stream,
    supervision,
    team,
)

__all__ = ["agent_router"]

agent_router = APIRouter(prefix="/api/v1/agent")
agent_router.include_router(session.router)
agent_router.include_router(queue.router)
agent_router.include_router(conversations.router)
agent_router.include_router(contacts.router)
agent_router.include_router(links.router)
agent_router.include_router(privacy.router)
agent_router.include_router(stream.router)
agent_router.include_router(canned.router)
agent_router.include_router(labels.router)
agent_router.include_router(supervision.router)
agent_router.include_router(team.router)
