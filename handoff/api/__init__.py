"""The agent REST API under /api/v1/agent (bearer auth)."""

from handoff.api.routes import agent_router

__all__ = ["agent_router"]
