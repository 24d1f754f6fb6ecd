"""'¿Te ha servido?' on WhatsApp (two reply buttons, through the local fake Graph API) and in the website
widget (two quick replies, socket.io as the widget speaks it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from learning_testing import LearningHub
from whatsapp_testing import sign, text, webhook
from widget_testing import LiveHub, Visitor

from learning.models import Signal

WA_ID = "34600111222"


def _send(hub: LearningHub, message: dict[str, Any]) -> None:
    body = webhook(message, wa_id=WA_ID)
    raw = json.dumps(body).encode()
    response = hub.client.post(
        "/api/v1/channels/whatsapp/webhook",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)},
    )
    assert response.status_code == 200, response.text


def _sent(hub: LearningHub, count: int) -> list[dict[str, Any]]:
    assert hub.graph is not None
    graph = hub.graph
    sent = hub.wait_until(lambda: graph.sent() if len(graph.sent()) >= count else [], f"{count} sent")
    return [r.body for r in sent]


def test_whatsapp_reply_buttons_and_no_gets_a_person(wa_hub: LearningHub) -> None:
    _send(wa_hub, text("¿cuánto tarda mi pedido?"))
    sent = _sent(wa_hub, 2)
    question = sent[1]["interactive"]
    assert question["type"] == "button"
    assert question["body"]["text"] == "¿Te ha servido?"
    buttons = question["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("/feedback_yes", "👍 Sí"), ("/feedback_no", "👎 No"),
    ]
    reply = {"id": "/feedback_no", "title": "👎 No"}
    _send(wa_hub, {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}})
    sent = _sent(wa_hub, 4)
    assert sent[2]["text"]["body"].startswith("Vaya, siento que no te haya servido")
    [row] = wa_hub.wait_until(lambda: wa_hub.signals("not_helpful"), "stored")
    assert wa_hub.conversation(row.conversation_id)["status"] == "open"
    assert (row.entry_id, row.score, row.decision) == ("envio-plazo", 0.93, "answer")


@pytest.fixture
async def visitor(live_hub: LiveHub) -> AsyncIterator[Visitor]:
    client = Visitor()
    yield client
    await client.sio.disconnect()


async def test_widget_quick_replies_and_yes_is_thanked(live_hub: LiveHub, visitor: Visitor) -> None:
    session_id = await visitor.start(live_hub)
    await visitor.say(session_id, "¿cuánto tarda mi pedido?")
    await visitor.sees("answer: envio-plazo")
    question = await visitor.sees("¿Te ha servido?")
    assert [(q["title"], q["payload"]) for q in question["quick_replies"]] == [
        ("👍 Sí", "/feedback_yes"), ("👎 No", "/feedback_no"),
    ]
    await visitor.say(session_id, "/feedback_yes")
    await visitor.sees("¡Genial, gracias")
    async with live_hub.services.sessions() as session:
        rows = (await session.scalars(sa.select(Signal))).all()
    assert [(r.kind, r.expected) for r in rows] == [("helpful", "envio-plazo")]
