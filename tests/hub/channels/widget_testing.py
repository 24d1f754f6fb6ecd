"""A handle on a hub served by uvicorn (socket.io needs a real server), and a widget visitor's socket."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import socketio
from fastapi import FastAPI

from hub.services import Services

__all__ = ["GUARD_S", "LiveHub", "Visitor"]

GUARD_S = 20.0  # only against hangs


@dataclass
class LiveHub:
    url: str
    app: FastAPI

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services


class Visitor:
    """A website visitor on the widget's socket.io channel: the bot's messages queue up in ``uttered``."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.uttered: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()

        @self.sio.on("bot_uttered")
        async def _uttered(data: dict[str, Any]) -> None:
            self.uttered.put_nowait(data)

        @self.sio.on("session_confirm")
        async def _confirm(data: str) -> None:
            self.confirmed.put_nowait(data)

    async def start(self, hub: LiveHub) -> str:
        await self.sio.connect(hub.url, socketio_path="/socket.io", transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": uuid.uuid4().hex})
        return await asyncio.wait_for(self.confirmed.get(), GUARD_S)

    async def say(self, session_id: str, text: str) -> None:
        data = {"message": text, "session_id": session_id, "client_message_id": uuid.uuid4().hex}
        await self.sio.emit("user_uttered", data)

    async def sees(self, text_starts: str) -> dict[str, Any]:
        """The next ``bot_uttered`` whose text starts so (earlier ones are skipped)."""
        while True:
            frame = await asyncio.wait_for(self.uttered.get(), GUARD_S)
            if str(frame.get("text", "")).startswith(text_starts):
                return frame
