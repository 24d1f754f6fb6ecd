"""The context panel names the customer and shows what they gave, whatever Rasa's tracker holds."""

from __future__ import annotations

import uuid

from handoff_testing import Desk

from hub.intake import Intake
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
