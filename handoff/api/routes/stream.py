"""WS /api/v1/agent/ws?token=...: what agents' consoles follow live.

Frames: ``{"type": "subscribed", "agent_id"}``, then ``{"type": "queue_changed",
"conversation_id"?}`` (a handoff arrived, was claimed, transferred, resolved or abandoned:
re-read GET /api/v1/agent/queue), ``{"type": "note", "note": {...}}``, ``{"type": "reassigned",
"conversation_id", "from_agent_id", "to_agent_id", "to_agent_name", "by_agent_id", "by_agent_name"}`` (a
supervisor moved a conversation: handoff/supervision.py), ``{"type": "wait_alert", ...}`` (a wait passed
HANDOFF_WAIT_ALERT_AFTER: handoff/wait_alerts.py) and ``{"type": "agents_changed"}`` (someone's status or
account changed). A conversation's
messages (customer's included, live) come on ``WS /api/v1/conversations/{id}/ws``.
A missing or expired token closes the socket with code 4401, and so does a logout of the token
it was opened with.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from handoff import agents
from handoff.desk import QUEUE_TOPIC
from handoff.errors import NotAuthenticated
from hub.api.deps import BroadcastDep, SessionsDep
from hub.api.ws import pump_until_logout, refuse

__all__ = ["router"]

router = APIRouter(tags=["agent"])


@router.websocket("/ws")
async def agent_ws(
    websocket: WebSocket,
    sessions: SessionsDep,
    broadcast: BroadcastDep,
    token: Annotated[str, Query(description="Token from POST /api/v1/agent/login")] = "",
) -> None:
    agent = None
    if token:
        async with sessions() as session:
            agent = await agents.authenticate(session, token=token)
    if agent is None:  # missing, unknown or expired: 4401, as documented (not an HTTP 403)
        await refuse(websocket, NotAuthenticated())
        return
    await websocket.accept()
    async with broadcast.subscribe(QUEUE_TOPIC) as frames:
        await websocket.send_json({"type": "subscribed", "agent_id": agent.id})
        await pump_until_logout(websocket, frames, broadcast,
                                (agents.SESSIONS_TOPIC, agents.session_key(token)))
