"""A WhatsApp customer and a website visitor who types their number stay two contacts (issue 15,
finding 2): the agent sees each one's own history and a suggested link to confirm.

These were the auto-merge tests ("the visitor joins the WhatsApp contact"); each now checks the safe
behaviour for the same steps."""

from __future__ import annotations

import uuid
from typing import Any

from whatsapp_testing import WhatsAppHub, text

from handoff import agents
from hub.intake import Intake
from hub.models import ContactLink, Conversation
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


def hand_off_when_asked(wa: WhatsAppHub) -> None:
    """The (fake) bot hands a conversation to people when the customer asks for "una persona"."""

    def reply(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if "persona" in text:
            return [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]
        return [{"text": f"echo: {text}"}]

    wa.rasa.reply = reply


def context(wa: WhatsAppHub, conversation_id: int, headers: dict[str, str]) -> dict[str, Any]:
    """The conversation's context, as the agent who claimed it (the bot handed it off) reads it."""
    wa.hub.wait_until(lambda: wa.hub.conversation(conversation_id)["status"] == "open", "handed off")
    claim = wa.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    assert claim.status_code in (200, 409), claim.text  # 409: claimed before
    response = wa.client.get(f"/api/v1/agent/conversations/{conversation_id}/context", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_whatsapp_customer_is_known_by_their_proven_phone(wa: WhatsAppHub) -> None:
    whatsapp_says(wa, "hola")

    [contact] = wa.contacts()
    assert (contact.phone, contact.phone_verified, contact.name) == (PHONE, True, "Ana")


def test_a_visitor_who_types_a_whatsapp_number_sees_nothing_of_that_customer_and_renames_nobody(
    wa: WhatsAppHub,
) -> None:
    """The finding, end to end: "mi teléfono es +34..." in the widget used to merge the visitor into
    the WhatsApp customer's contact; the agent saw Ana's history as the visitor's."""
    headers = agent_headers(wa)
    hand_off_when_asked(wa)
    whatsapp_conversation = whatsapp_says(wa, "hola, pedí unas sandalias")
    session_id = uuid.uuid4().hex

    widget_says(wa, session_id, "mi correo es X@Y.com")
    typed = widget_says(wa, session_id, f"me llamo Mallory, mi teléfono es +{PHONE}: una persona, por favor")

    ana, visitor = wa.contacts()
    assert (ana.name, ana.phone, ana.phone_verified, ana.email) == ("Ana", PHONE, True, None)
    assert (visitor.id, visitor.email, visitor.phone, visitor.phone_verified) == (
        typed.message.contact_id,
        "x@y.com",
        PHONE,
        False,
    )
    body = context(wa, typed.conversation.id, headers)
    assert body["contact"]["id"] == visitor.id
    assert {(i["channel"], i["verified"]) for i in body["contact"]["identities"]} == {("widget", True)}
    assert [t["conversation_id"] for t in body["transcript"]] == [typed.conversation.id]
    assert "hola, pedí unas sandalias" not in str(body["transcript"])
    [link] = body["suggested_links"]
    assert (link["key"], link["value"], link["other_verified"]) == ("phone", PHONE, True)
    assert (link["contact"]["id"], link["contact"]["name"], link["contact"]["channels"]) == (
        ana.id,
        "Ana",
        ["whatsapp"],
    )
    owners = {c.id: c.contact_id for c in wa.rows(Conversation)}
    assert owners == {whatsapp_conversation: ana.id, typed.conversation.id: visitor.id}


def test_a_whatsapp_customer_who_writes_an_email_a_visitor_typed_gets_a_suggestion_only(
    wa: WhatsAppHub,
) -> None:
    headers = agent_headers(wa)
    hand_off_when_asked(wa)
    whatsapp_conversation = whatsapp_says(wa, "hola")
    widget = widget_says(wa, uuid.uuid4().hex, "soy x@y.com, ¿dónde está mi pedido?")

    whatsapp_says(wa, "te escribí en la web con x@y.com, quiero una persona")

    assert len(wa.contacts()) == 2
    body = context(wa, whatsapp_conversation, headers)
    assert [t["conversation_id"] for t in body["transcript"]] == [whatsapp_conversation]
    [link] = wa.rows(ContactLink)
    assert (link.contact_id, link.other_contact_id) == (body["contact"]["id"], widget.message.contact_id)
    assert (link.key, link.value, link.other_verified, link.state) == ("email", "x@y.com", False, "open")
    assert [x["id"] for x in body["suggested_links"]] == [link.id]


def test_the_bot_still_answers_each_channel_where_the_customer_wrote(wa: WhatsAppHub) -> None:
    whatsapp_says(wa, "hola desde whatsapp")
    widget = widget_says(wa, uuid.uuid4().hex, f"mi teléfono es +{PHONE}")
    whatsapp_says(wa, "sigo aquí")

    assert len(wa.contacts()) == 2
    wa.wait_outbox_settled(messages=2)
    assert {r.body["to"] for r in wa.graph.sent()} == {PHONE}
    assert wa.graph.texts() == ["echo: hola desde whatsapp", "echo: sigo aquí"]
    replies = [m["text"] for m in wa.hub.messages(widget.conversation.id) if m["message_type"] == "outgoing"]
    assert replies == [f"echo: mi teléfono es +{PHONE}"]
