"""A widget visitor's typing reaches the agents following the conversation (throttled)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio
from widget_testing import LiveHub

from hub.delivery import conversation_topic

GUARD_S = 20.0  # only against hangs


async def _visitor_with_a_conversation(hub: LiveHub) -> tuple[socketio.AsyncClient, str, int]:
    receipts: asyncio.Queue[Any] = asyncio.Queue()
    client = socketio.AsyncClient(reconnection=False)
    client.on("message_received", receipts.put_nowait)
    await client.connect(hub.url, socketio_path="/socket.io", transports=["websocket"])
    session_id = uuid.uuid4().hex
    await client.emit("session_request", {"session_id": session_id})
    await client.emit(
        "user_uttered", {"message": "hola", "session_id": session_id, "client_message_id": "c-1"}
    )
    receipt = await asyncio.wait_for(receipts.get(), GUARD_S)
    return client, session_id, int(receipt["conversation_id"])


async def test_a_visitor_typing_is_published_on_the_conversation_websocket(live_hub: LiveHub) -> None:
    client, session_id, conversation_id = await _visitor_with_a_conversation(live_hub)
    try:
        async with live_hub.services.broadcast.subscribe(conversation_topic(conversation_id)) as frames:

            async def next_typing() -> dict[str, Any]:
                async for frame in frames:
                    if frame["type"] == "typing" and frame.get("by") == "customer":
                        return frame
                raise AssertionError("the topic closed")

            await client.emit("user_typing", {"session_id": session_id, "on": True})
            assert await asyncio.wait_for(next_typing(), GUARD_S) == {
                "type": "typing",
                "on": True,
                "by": "customer",
            }
            await client.emit("user_typing", {"session_id": session_id, "on": True})  # a repeat: dropped
            await client.emit("user_typing", {"session_id": session_id, "on": False})
            assert (await asyncio.wait_for(next_typing(), GUARD_S))["on"] is False
    finally:
        await client.disconnect()
