"""The agent REST API under /api/v1/agent (bearer auth) and the agent console page at /agent."""

from handoff.api.routes import agent_router
from handoff.api.routes.console import router as console_router

__all__ = ["agent_router", "console_router"]
