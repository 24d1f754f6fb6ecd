"""CSAT and NPS in the website widget (socket.io, Rasa's protocol): buttons the visitor clicks, as the
widget sends them (the payload is the message)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from widget_testing import LiveHub, Visitor

from hub.models import Event


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
