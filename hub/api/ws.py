"""Websocket plumbing shared by the websocket routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import WebSocket, WebSocketDisconnect

__all__ = ["pump"]


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
