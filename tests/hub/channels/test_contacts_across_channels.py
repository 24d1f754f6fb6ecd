"""One person on WhatsApp and on the website widget becomes one contact: the agent sees one history."""

from __future__ import annotations

import uuid
from typing import Any

from whatsapp_testing import WhatsAppHub, text

from handoff import agents
from hub.intake import Intake
from hub.schemas import IncomingMessage

PHONE = "34600111222"


def agent_headers(wa: WhatsAppHub) -> dict[str, str]:
    async def create() -> None:
        async with wa.hub.services.sessions.begin() as session:
            await agents.create(
                session,
                email="eva@tiendasol.example",
                name="Eva",
                password="s3cret-pass",
                languages=["es"],
                skills=[],
                max_concurrent=3,
            )

    portal = wa.client.portal
    assert portal is not None
    portal.call(create)
    response = wa.client.post(
        "/api/v1/agent/login", json={"email": "eva@tiendasol.example", "password": "s3cret-pass"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def widget_says(wa: WhatsAppHub, session_id: str, words: str) -> Intake:
    """A website visitor's message, as hub.channels.widget_socket stores it."""
    incoming = IncomingMessage(
        channel="widget", source_id=session_id, client_message_id=uuid.uuid4().hex, text=words
    )
    portal = wa.client.portal
    assert portal is not None
    result: Intake = portal.call(wa.hub.services.receiver.receive, incoming)
    wa.hub.wait_idle(result.conversation.id)
    return result


def whatsapp_says(wa: WhatsAppHub, words: str) -> int:
    """A WhatsApp message from PHONE; its conversation id."""
    wamid = wa.send(text(words), wa_id=PHONE, name="Ana")
    conversation_id: int = wa.wait_idle(wamid)[0]["conversation_id"]
    return conversation_id


def context(wa: WhatsAppHub, conversation_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = wa.client.get(f"/api/v1/agent/conversations/{conversation_id}/context", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_whatsapp_customer_is_known_by_their_phone(wa: WhatsAppHub) -> None:
    whatsapp_says(wa, "hola")

    [contact] = wa.contacts()
    assert (contact.phone, contact.name) == (PHONE, "Ana")


def test_a_widget_visitor_who_gives_email_then_the_whatsapp_phone_joins_the_whatsapp_contact(
    wa: WhatsAppHub,
) -> None:
    headers = agent_headers(wa)
    whatsapp_conversation = whatsapp_says(wa, "hola, pedí unas sandalias")
    session_id = uuid.uuid4().hex

    first = widget_says(wa, session_id, "mi correo es X@Y.com")
    assert first.message.contact_id != wa.contacts()[0].id  # not linked yet: nothing in common
    second = widget_says(wa, session_id, "y mi móvil es el 600 111 222")

    [contact] = wa.contacts()
    assert (contact.email, contact.phone) == ("x@y.com", PHONE)
    body = context(wa, second.conversation.id, headers)
    assert (body["contact"]["id"], body["contact"]["email"], body["contact"]["phone"]) == (
        contact.id,
        "x@y.com",
        PHONE,
    )
    assert {(i["channel"], i["source_id"]) for i in body["contact"]["identities"]} == {
        ("whatsapp", PHONE),
        ("widget", session_id),
    }
    transcript = body["transcript"]
    assert [(t["conversation_id"], t["channel"]) for t in transcript] == [
        (whatsapp_conversation, "whatsapp"),
        (second.conversation.id, "widget"),
    ]
    widget_texts = [m["text"] for m in transcript[1]["messages"] if m["message_type"] == "incoming"]
    assert widget_texts == ["mi correo es X@Y.com", "y mi móvil es el 600 111 222"]
    assert "hola, pedí unas sandalias" in [m["text"] for m in transcript[0]["messages"]]


def test_a_whatsapp_customer_who_writes_the_widget_email_joins_that_contact(wa: WhatsAppHub) -> None:
    headers = agent_headers(wa)
    whatsapp_conversation = whatsapp_says(wa, "hola")
    widget = widget_says(wa, uuid.uuid4().hex, "soy x@y.com, ¿dónde está mi pedido?")
    assert len(wa.contacts()) == 2

    whatsapp_says(wa, "te escribí en la web con x@y.com")

    [contact] = wa.contacts()
    assert (contact.email, contact.phone) == ("x@y.com", PHONE)
    body = context(wa, whatsapp_conversation, headers)
    assert [t["conversation_id"] for t in body["transcript"]] == [
        whatsapp_conversation,
        widget.conversation.id,
    ]
    response = wa.client.get(f"/api/v1/agent/contacts/{contact.id}", headers=headers)
    assert response.status_code == 200, response.text
    [merge] = response.json()["merges"]
    assert (merge["key"], merge["value"], merge["surviving_contact_id"]) == ("email", "x@y.com", contact.id)
    assert merge["merged_contact_id"] == widget.message.contact_id


def test_the_bot_still_answers_each_channel_where_the_customer_wrote(wa: WhatsAppHub) -> None:
    whatsapp_says(wa, "hola desde whatsapp")
    widget = widget_says(wa, uuid.uuid4().hex, f"mi teléfono es +{PHONE}")
    whatsapp_says(wa, "sigo aquí")

    assert len(wa.contacts()) == 1
    wa.wait_outbox_settled(messages=2)
    assert {r.body["to"] for r in wa.graph.sent()} == {PHONE}
    assert wa.graph.texts() == ["echo: hola desde whatsapp", "echo: sigo aquí"]
    replies = [m["text"] for m in wa.hub.messages(widget.conversation.id) if m["message_type"] == "outgoing"]
    assert replies == [f"echo: mi teléfono es +{PHONE}"]
