"""Routing a stored message: to the bot while pending, to humans once open; order and retries."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from handoff.models import Handoff
from hub.models import Conversation, Event, Message
from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa


def load(model: Any, *where: Any) -> Any:
    async def run(session: AsyncSession) -> list[Any]:
        return list((await session.execute(sa.select(model).where(*where).order_by(model.id))).scalars())

    return run


def event_kinds(hub: HubClient, conversation_id: int) -> list[str]:
    return [e.kind for e in hub.db(load(Event, Event.conversation_id == conversation_id))]


def test_the_bot_reply_is_stored_with_its_buttons_and_the_turn_metadata(
    hub: HubClient, rasa: FakeRasa
) -> None:
    rasa.reply = lambda text, _m: [
        {"text": "Tu pedido está en camino."},
        {"text": "¿Algo más?", "buttons": [{"title": "Sí", "payload": "/affirm"}]},
    ]
    receipt = hub.post("dnd esta mi pedido", source_id="lucia").json()
    conversation_id = receipt["conversation_id"]
    replies = hub.wait_for_replies(conversation_id, 2)
    assert [(r["sender_type"], r["text"], r["buttons"]) for r in replies] == [
        ("bot", "Tu pedido está en camino.", []),
        ("bot", "¿Algo más?", [{"title": "Sí", "payload": "/affirm"}]),
    ]
    assert rasa.webhook_calls[0] == {
        "sender": str(conversation_id),
        "message": "dnd esta mi pedido",
        "metadata": {
            "language": "es",
            "channel": "api",
            "conversation_id": conversation_id,
            "contact_id": receipt["contact_id"],
            "message_id": receipt["id"],
            # who writes, for the order owner check (actions/order_owner.py): nothing known yet
            "contact": {"email": None, "phone": None, "email_verified": False, "phone_verified": False},
        },
    }
    incoming = hub.messages(conversation_id)[0]
    assert incoming["bot_state"] == "done"
    assert event_kinds(hub, conversation_id)[:2] == ["conversation_created", "bot_replied"]


def test_nlu_of_the_turn_is_kept_on_the_incoming_message(hub: HubClient, rasa: FakeRasa) -> None:
    receipt = hub.post("¿cuánto tarda el envío?").json()

    def nlu() -> Any:
        [message] = hub.db(load(Message, Message.id == receipt["id"]))
        return (message.context or {}).get("nlu")

    found = hub.wait_until(nlu, "nlu stored")
    assert found["intent"] == "ask_shipping" and found["confidence"] == 0.93
    assert [r["name"] for r in found["intent_ranking"]] == ["ask_shipping", "greet"]
    assert found["entities"][0]["value"] == "A-1001"


def test_kb_context_is_stored_on_the_turn_and_not_shown_to_the_customer(
    hub: HubClient, rasa: FakeRasa
) -> None:
    kb = {
        "decision": "answer",
        "reason": "top score 0.91 >= answer threshold 0.82",
        "candidates": [{"id": "envio-plazos", "score": 0.91, "question": "¿Cuánto tarda el envío?"}],
    }
    rasa.reply = lambda text, _m: [{"text": "Entre 24 y 48 horas."}, {"custom": {"kb": kb}}]
    receipt = hub.post("cuanto tarda el envio").json()
    messages = hub.wait_idle(receipt["conversation_id"])
    assert [m["text"] for m in messages if m["message_type"] == "outgoing"] == ["Entre 24 y 48 horas."]
    [incoming] = hub.db(load(Message, Message.id == receipt["id"]))
    assert incoming.context["kb"] == kb


def test_a_handoff_payload_gives_the_conversation_to_humans_with_its_reason(
    hub: HubClient, rasa: FakeRasa
) -> None:
    rasa.reply = lambda text, _m: [
        {"text": "Te paso con una persona."},
        {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human"}}}},
    ]
    receipt = hub.post("quiero hablar con una persona").json()
    conversation_id = receipt["conversation_id"]
    messages = hub.wait_idle(conversation_id)
    # One handoff message (the desk's), not the bot's words and then a second notice.
    assert [(m["message_type"], m["sender_type"]) for m in messages] == [
        ("incoming", "contact"),
        ("activity", "system"),
    ]
    assert messages[-1]["text"].startswith("Claro, te paso con una persona del equipo. Estás en la posición")
    assert hub.conversation(conversation_id)["status"] == "open"
    [handoff] = hub.db(load(Handoff, Handoff.conversation_id == conversation_id))
    assert (handoff.reason, handoff.detail, handoff.message_id) == (
        "explicit_request",
        {"intent": "human"},
        receipt["id"],
    )
    assert handoff.requested_at is not None and handoff.claimed_at is None
    kinds = event_kinds(hub, conversation_id)
    assert kinds.index("bot_replied") < kinds.index("bot_handoff") < kinds.index("status_changed")
    [changed] = hub.db(load(Event, Event.conversation_id == conversation_id, Event.kind == "status_changed"))
    assert changed.data == {"from": "pending", "to": "open", "cause": "bot_handoff"}


def test_messages_of_an_open_conversation_reach_the_websocket_not_rasa(
    hub: HubClient, rasa: FakeRasa
) -> None:
    rasa.reply = lambda text, _m: [{"custom": {"handoff": {"reason": "complaint"}}}]
    conversation_id = hub.post("esto es un desastre").json()["conversation_id"]
    hub.wait_idle(conversation_id)
    calls_before = len(rasa.webhook_calls)
    with hub.client.websocket_connect(f"/api/v1/conversations/{conversation_id}/ws?source_id=cust-1") as ws:
        assert ws.receive_json()["type"] == "subscribed"
        receipt = hub.post("¿hay alguien?").json()
        frame = ws.receive_json()
        while frame["type"] == "typing":  # the first turn's "typing off" may still be on its way
            frame = ws.receive_json()
    assert receipt["conversation_id"] == conversation_id
    assert frame["type"] == "message" and frame["message"]["text"] == "¿hay alguien?"
    messages = hub.wait_idle(conversation_id)
    assert messages[-1]["id"] == receipt["id"] and messages[-1]["bot_state"] == "skipped"
    assert len(rasa.webhook_calls) == calls_before


def test_one_conversation_is_processed_in_order_one_message_at_a_time(hub: HubClient, rasa: FakeRasa) -> None:
    other_arrived = asyncio.Event()

    async def think(body: dict[str, Any]) -> None:
        if body["message"] == "B1":
            other_arrived.set()
        elif body["message"] == "A1":
            # Released only when another conversation reaches Rasa: conversations run concurrently.
            await asyncio.wait_for(other_arrived.wait(), timeout=15)

    rasa.before_reply = think
    a1 = hub.post("A1", source_id="ana").json()
    hub.wait_until(lambda: rasa.webhook_calls, "A1 reached Rasa")
    hub.post("A2", source_id="ana")
    hub.post("A3", source_id="ana")
    hub.post("B1", source_id="bea")
    messages = hub.wait_idle(a1["conversation_id"])
    order = [c["message"] for c in rasa.webhook_calls]
    assert order[0] == "A1" and order.index("B1") < order.index("A2") < order.index("A3")
    assert rasa.max_in_flight[str(a1["conversation_id"])] == 1
    by_id = {m["id"]: m["text"] for m in messages}
    replies = [(by_id[m["in_reply_to_id"]], m["text"]) for m in messages if m["message_type"] == "outgoing"]
    assert replies == [("A1", "echo: A1"), ("A2", "echo: A2"), ("A3", "echo: A3")]


def test_while_rasa_is_down_the_message_waits_and_is_answered_once_it_is_back(
    hub: HubClient, rasa: FakeRasa
) -> None:
    rasa.down = True
    receipt = hub.post("hola").json()

    def attempts() -> int:
        [message] = hub.db(load(Message, Message.id == receipt["id"]))
        return message.bot_attempts if message.bot_attempts >= 3 else 0

    hub.wait_until(attempts, "several attempts while Rasa is down")
    assert hub.client.get("/healthz").json() == {"status": "ok", "rasa": "down", "db": "ok"}
    assert [m["bot_state"] for m in hub.messages(receipt["conversation_id"])] == ["queued"]
    rasa.down = False
    replies = hub.wait_for_replies(receipt["conversation_id"])
    assert [r["text"] for r in replies] == ["echo: hola"]
    assert hub.client.get("/healthz").json()["rasa"] == "up"
    assert len(hub.messages(receipt["conversation_id"])) == 2


def test_a_message_rasa_keeps_rejecting_is_marked_failed_after_bounded_attempts(
    hub: HubClient, rasa: FakeRasa
) -> None:
    rasa.error_status = 500
    receipt = hub.post("hola").json()
    messages = hub.wait_idle(receipt["conversation_id"])
    assert [m["bot_state"] for m in messages] == ["failed"]
    [message] = hub.db(load(Message, Message.id == receipt["id"]))
    assert message.bot_attempts == hub.services.settings.rasa_max_attempts
    assert "bot_failed" in event_kinds(hub, receipt["conversation_id"])


def test_english_is_detected_passed_to_rasa_and_kept(hub: HubClient, rasa: FakeRasa) -> None:
    receipt = hub.post("hi, where is my order?").json()
    conversation_id = receipt["conversation_id"]
    hub.wait_idle(conversation_id)
    hub.post("ok")
    hub.wait_idle(conversation_id)
    assert [c["metadata"]["language"] for c in rasa.webhook_calls] == ["en", "en"]
    assert hub.conversation(conversation_id)["language"] == "en"
    assert "language_changed" in event_kinds(hub, conversation_id)


def test_an_explicit_language_wins_over_detection(hub: HubClient, rasa: FakeRasa) -> None:
    receipt = hub.post("hola", language="en").json()
    hub.wait_idle(receipt["conversation_id"])
    assert rasa.webhook_calls[0]["metadata"]["language"] == "en"


def test_messages_queued_when_the_hub_stopped_are_answered_after_a_restart(
    settings: Settings,
) -> None:
    down = FakeRasa()
    down.down = True
    with TestClient(create_app(settings, rasa_transport=httpx.MockTransport(down.handle))) as client:
        first = HubClient(client)
        receipt = first.post("hola, ¿seguís ahí?").json()
        first.wait_until(
            lambda: first.db(load(Message, Message.id == receipt["id"], Message.bot_attempts > 0)),
            "a failed attempt",
        )
    up = FakeRasa()
    with TestClient(create_app(settings, rasa_transport=httpx.MockTransport(up.handle))) as client:
        second = HubClient(client)
        replies = second.wait_for_replies(receipt["conversation_id"])
        assert [r["text"] for r in replies] == ["echo: hola, ¿seguís ahí?"]
        assert len(up.webhook_calls) == 1
        [conversation] = second.db(load(Conversation))
        assert conversation.status == "pending"


def test_messages_queued_behind_a_handoff_go_to_humans_not_to_rasa(hub: HubClient, rasa: FakeRasa) -> None:
    second_stored = asyncio.Event()

    async def think(body: dict[str, Any]) -> None:
        await asyncio.wait_for(second_stored.wait(), timeout=15)

    rasa.before_reply = think
    rasa.reply = lambda text, _m: [{"custom": {"handoff": {"reason": "explicit_request"}}}]
    first = hub.post("quiero hablar con alguien").json()
    hub.wait_until(lambda: rasa.webhook_calls, "the first message reached Rasa")
    second = hub.post("es urgente").json()
    hub.client.portal.call(second_stored.set)  # type: ignore[union-attr]
    messages = hub.wait_idle(first["conversation_id"])
    by_id = {m["id"]: m for m in messages}
    assert second["conversation_id"] == first["conversation_id"]
    assert by_id[second["id"]]["bot_state"] == "skipped"
    assert [c["message"] for c in rasa.webhook_calls] == ["quiero hablar con alguien"]
