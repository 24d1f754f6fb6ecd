"""The context panel names the customer and shows what they gave, whatever Rasa's tracker holds."""

from __future__ import annotations

import uuid

from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.customer_facts import collected
from hub.intake import Intake
from hub.models import Contact, Conversation, Message
from hub.schemas import IncomingMessage
from tests.fakes.rasa import FakeRasa


def widget_says(desk: Desk, session_id: str, words: str) -> Intake:
    """A website visitor's message, as hub.channels.widget_socket stores it."""
    incoming = IncomingMessage(
        channel="widget", source_id=session_id, client_message_id=uuid.uuid4().hex, text=words
    )
    portal = desk.client.portal
    assert portal is not None
    result: Intake = portal.call(desk.services.receiver.receive, incoming)
    return result


def context_of(desk: Desk, conversation_id: int, headers: dict[str, str]) -> dict[str, object]:
    response = desk.client.get(f"/api/v1/agent/conversations/{conversation_id}/context", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_widget_visitors_order_number_and_email_are_collected_and_they_are_a_web_visitor(
    desk: Desk, rasa: FakeRasa
) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    rasa.slots = {}  # Rasa's tracker holds nothing for it
    session_id = uuid.uuid4().hex  # what the widget calls the visitor: never shown as their name
    first = widget_says(desk, session_id, "hola, mi pedido ab12345 no llega")
    desk.wait_idle(first.conversation.id)
    widget_says(desk, session_id, "soy Marta.Ruiz@Example.com, quiero hablar con una persona")
    desk.wait_status(first.conversation.id, "open")
    context = context_of(desk, first.conversation.id, headers)
    slots = context["slots"]
    assert isinstance(slots, dict)
    assert (slots["order_number"], slots["email"]) == ("AB-12345", "marta.ruiz@example.com")
    contact = context["contact"]
    assert isinstance(contact, dict)
    assert contact["display_name"] == f"Visitante web #{first.conversation.contact_id}"
    assert session_id not in contact["display_name"]
    # The queue names them the same way (the console: «Visitante web #N», not «Conversación N»).
    [entry] = desk.client.get("/api/v1/agent/queue", headers=headers).json()["waiting"]
    assert (entry["contact_id"], entry["customer_name"]) == (first.conversation.contact_id, None)


def test_the_queue_and_the_supervisors_view_give_a_named_customers_name(desk: Desk) -> None:
    desk.add_agent("sara@x.example", role="supervisor")
    headers = desk.login("sara@x.example")
    conversation_id = desk.hand_off()

    async def named(session: AsyncSession) -> None:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        contact = await session.get(Contact, conversation.contact_id)
        assert contact is not None
        contact.name = "Marta Ruiz"

    desk.db(named)
    [entry] = desk.client.get("/api/v1/agent/queue", headers=headers).json()["waiting"]
    assert entry["customer_name"] == "Marta Ruiz"
    [waiting] = desk.client.get("/api/v1/agent/supervision", headers=headers).json()["waiting"]
    assert waiting["customer_name"] == "Marta Ruiz"


def test_rasas_own_slot_wins_and_a_named_customer_keeps_their_name(desk: Desk, rasa: FakeRasa) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    rasa.slots["order_number"] = "AB-10002"  # the bot settled on this one
    conversation_id = desk.hand_off("el pedido AB-12345 no, el otro: quiero una persona")
    context = context_of(desk, conversation_id, headers)
    slots = context["slots"]
    assert isinstance(slots, dict) and slots["order_number"] == "AB-10002"
    contact = context["contact"]
    assert isinstance(contact, dict) and contact["display_name"] == f"Cliente #{contact['id']}"


def _incoming(text: str, **context: object) -> Message:
    return Message(message_type="incoming", text=text, context=context)


def test_the_faq_the_customer_tapped_shows_as_its_question_not_its_id() -> None:
    """«Datos recogidos por el bot» said «faq_id envio-coste» after a tap (ops/desk_walk.py)."""
    clarify = _incoming(
        "envio", kb={"candidates": [{"id": "envio-coste", "question": "¿Cuánto cuesta el envío?"}]}
    )
    tapped = _incoming(
        "¿Cuánto cuesta el envío?",
        bot_text='/choose_faq{"faq_id":"envio-coste"}',
        nlu={"entities": [{"entity": "faq_id", "value": "envio-coste"}]},
    )
    assert collected([clarify, tapped], {}) == {"faq": "¿Cuánto cuesta el envío?"}
    # An old message stored as the raw payload: the candidate's question.
    entities = [{"entity": "faq_id", "value": "envio-coste"}]
    raw = _incoming('/choose_faq{"faq_id":"envio-coste"}', nlu={"entities": entities})
    found = collected([clarify, raw], {"language": "es"})
    assert found == {"faq": "¿Cuánto cuesta el envío?", "language": "es"}
