"""Websocket plumbing shared by the websocket routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import WebSocket, WebSocketDisconnect

from hub.api.errors import websocket_close
from hub.broadcast import Broadcast
from hub.errors import HubError

__all__ = ["pump", "refuse"]


async def refuse(websocket: WebSocket, exc: HubError) -> None:
    """Close with 4000 + the HTTP status (4401, 4403, 4404) and a short reason saying what to send.

    Accepted first: a server that closes during the handshake answers HTTP 403 instead, and
    browsers then see code 1006 and no reason at all.
    """
    code, reason = websocket_close(exc)
    await websocket.accept()
    await websocket.close(code=code, reason=reason)


async def pump(websocket: WebSocket, frames: AsyncIterator[dict[str, Any]]) -> None:
    """Forward frames to the client until it goes away."""
    async with anyio.create_task_group() as group:

        async def forward() -> None:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                async for frame in frames:
                    await websocket.send_json(frame)
            group.cancel_scope.cancel()

        async def watch() -> None:
            with contextlib.suppress(WebSocketDisconnect):
                while True:
                    await websocket.receive_text()
            group.cancel_scope.cancel()

        group.start_soon(forward)
        group.start_soon(watch)


async def pump_until_logout(
    websocket: WebSocket,
    frames: AsyncIterator[dict[str, Any]],
    broadcast: Broadcast,
    watch: tuple[str, str] | None,
) -> None:
    """``pump``, and close with 4401 when the login the socket was opened with ends
    (``watch``: the broadcast topic and key a logout announces; None: nothing to watch)."""
    if watch is None:
        await pump(websocket, frames)
        return
    topic, key = watch
    async with broadcast.subscribe(topic) as ended, anyio.create_task_group() as group:

        async def close_on_logout() -> None:
            async for frame in ended:
                if frame.get("session") == key:
                    with contextlib.suppress(RuntimeError):
                        await websocket.close(code=4401, reason="logged out: log in again")
                    group.cancel_scope.cancel()

        group.start_soon(close_on_logout)
        await pump(websocket, frames)
        group.cancel_scope.cancel()
