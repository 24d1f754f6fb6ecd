"""CSAT and NPS in the website widget (socket.io, Rasa's protocol): buttons the visitor clicks, as the
widget sends them (the payload is the message)."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
import sqlalchemy as sa
from widget_testing import LiveHub

from hub.models import Event

GUARD_S = 20.0  # only against hangs


class Visitor:
    """A socket.io client like the widget: every ``bot_uttered`` in order."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.uttered: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.other: dict[str, list[Any]] = defaultdict(list)

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


@pytest.fixture
async def visitor(live_hub: LiveHub) -> AsyncIterator[Visitor]:
    client = Visitor()
    yield client
    await client.sio.disconnect()


async def _answered(hub: LiveHub) -> list[dict[str, Any]]:
    async with hub.services.sessions() as session:
        query = sa.select(Event.data).where(Event.kind == "survey_answered").order_by(Event.id)
        rows = await session.scalars(query)
        return list(rows)


async def test_a_visitor_rates_with_buttons_csat_then_nps(live_hub: LiveHub, visitor: Visitor) -> None:
    session_id = await visitor.start(live_hub)
    await visitor.say(session_id, "¿cuánto tarda el envío?")
    await visitor.sees("echo: ¿cuánto tarda el envío?")
    await visitor.say(session_id, "¡gracias!")
    await visitor.sees("Damos por resuelta tu consulta")
    csat = await visitor.sees("¿Cómo valorarías la atención")
    assert [(q["title"], q["payload"]) for q in csat["quick_replies"]] == [
        ("1 · Muy mal", "1"),
        ("2 · Mal", "2"),
        ("3 · Regular", "3"),
        ("4 · Bien", "4"),
        ("5 · Excelente", "5"),
    ]

    await visitor.say(session_id, csat["quick_replies"][3]["payload"])  # the click on "4 · Bien"
    prompt = await visitor.sees("¡Gracias! Si quieres, cuéntanos")
    await visitor.say(session_id, prompt["quick_replies"][0]["payload"])  # "No, gracias"
    await visitor.sees("¡Gracias por tu opinión!")
    nps = await visitor.sees("Del 0 al 10")
    assert [q["payload"] for q in nps["quick_replies"]] == [str(n) for n in range(11)]
    await visitor.say(session_id, "10")
    await visitor.sees("¡Gracias por tu opinión!")

    answered = await _answered(live_hub)
    assert [(a["kind"], a["score"], a["comment"], a["channel"], a["human"]) for a in answered] == [
        ("csat", 4, None, "widget", False),
        ("nps", 10, None, "widget", False),
    ]
