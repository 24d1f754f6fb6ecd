"""One voice at the handoff (issue 18, item 2): one message that is true at that moment, an apology
for complaints and frustration, and no FAQ answer repeated to a customer who is shouting."""

from __future__ import annotations

from typing import Any

from handoff_testing import Desk

from tests.fakes.rasa import FakeRasa


def said(desk: Desk, conversation_id: int) -> list[str]:
    return [m["text"] for m in desk.messages(conversation_id) if m["message_type"] != "incoming"]


def test_the_bots_handoff_words_and_the_queue_are_one_message_without_en_breve(desk: Desk) -> None:
    nobody = desk.hand_off("quiero hablar con una persona", source_id="night-owl")
    asked, notice = desk.messages(nobody)
    assert notice["in_reply_to_id"] == asked["id"]  # it answers the customer's message
    assert said(desk, nobody) == [
        "Claro, te paso con una persona del equipo. Estás en la posición 1 de la cola. "
        "Ahora no hay agentes conectados; te atenderá alguien en cuanto se conecte."
    ]
    desk.add_agent("ana@x.example")
    desk.login("ana@x.example")
    someone = desk.hand_off("quiero hablar con una persona", source_id="day-owl")
    assert said(desk, someone) == [
        "Claro, te paso con una persona del equipo. Estás en la posición 2 de la cola. "
        "Tiempo estimado de espera: unos 10 minutos."
    ]


def test_a_complaint_handoff_starts_with_an_apology_in_the_customers_language(desk: Desk) -> None:
    spanish = desk.hand_off("tengo una queja", source_id="marta")
    assert said(desk, spanish)[0].startswith(
        "Siento mucho las molestias. Te paso con una persona del equipo para que lo resuelva contigo. "
        "Estás en la posición 1"
    )
    english = desk.hand_off("I have a complaint about my order", source_id="john")
    assert said(desk, english)[0].startswith("I'm really sorry about this. I'm passing you to a person")


def test_a_shouting_customer_is_handed_off_with_an_apology_not_given_the_same_answer_again(
    desk: Desk, rasa: FakeRasa
) -> None:
    answer = "Sobre «¿Cuándo se cobra el pedido?»: se cobra al confirmar la compra."

    def faq_bot(_text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"text": answer}]

    rasa.reply = faq_bot
    first = desk.customer("me habéis cobrado dos veces", source_id="pepa")["conversation_id"]
    desk.wait_idle(first)
    assert said(desk, first) == [answer]
    desk.customer("ME HABEIS COBRADO DOS VECES Y NADIE ME CONTESTA", source_id="pepa")
    desk.wait_status(first, "open")
    desk.wait_idle(first)
    texts = said(desk, first)
    assert texts.count(answer) == 1  # not repeated to the shouting customer
    assert texts[-1].startswith("Siento mucho las molestias. Te paso con una persona del equipo")
