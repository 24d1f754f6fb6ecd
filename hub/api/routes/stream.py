"""WS /api/v1/channels/api/ws?source_id=...: everything the api channel delivers to a customer.

Subscribe before the first message: receipts, typing and messages of all the customer's
conversations (a resolved conversation's successor included).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from hub.api.deps import BroadcastDep
from hub.api.ws import pump
from hub.channels.api import customer_topic

__all__ = ["router"]

router = APIRouter(tags=["channels"])


@router.websocket("/channels/api/ws")
async def customer_ws(
    websocket: WebSocket,
    broadcast: BroadcastDep,
    source_id: Annotated[str, Query(min_length=1, max_length=200)],
) -> None:
    await websocket.accept()
    async with broadcast.subscribe(customer_topic("api", source_id)) as frames:
        await websocket.send_json({"type": "subscribed", "source_id": source_id})
        await pump(websocket, frames)
