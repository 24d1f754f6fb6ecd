"""Implicit signals, stored as weaker evidence: a clarify's option picked, none of them fitting, a person
asked for right after an FAQ answer."""

from __future__ import annotations

from learning_testing import LearningHub


def test_the_option_picked_from_a_clarify_labels_the_clarified_question(hub: LearningHub) -> None:
    conversation_id = hub.say("¿cómo puedo pagar?")
    hub.say('/choose_faq{"faq_id":"pago-aplazado"}')
    assert hub.texts(conversation_id)[-1].startswith("answer: pago-aplazado")
    [row] = hub.wait_until(lambda: hub.signals("clarify_pick"), "stored")
    assert (row.strength, row.text, row.expected) == ("implicit", "¿cómo puedo pagar?", "pago-aplazado")
    assert (row.decision, row.entry_id, row.score) == ("clarify", "pago-metodos", 0.91)


def test_none_of_the_options_and_a_person_after_an_answer(hub: LearningHub) -> None:
    conversation_id = hub.say("¿cómo puedo pagar?")
    hub.say("/request_human")
    hub.wait_status(conversation_id, "open")
    [none] = hub.wait_until(lambda: hub.signals("clarify_none"), "stored")
    assert (none.strength, none.text, none.expected) == ("implicit", "¿cómo puedo pagar?", None)

    other = hub.say("¿cuántos días tengo para devolver algo?", source_id="cust-2")
    hub.say("prefiero hablar con una persona", source_id="cust-2")
    hub.wait_status(other, "open")
    [after] = hub.wait_until(lambda: hub.signals("person_after_answer"), "stored")
    assert (after.strength, after.entry_id, after.decision) == ("implicit", "devolucion-plazo", "answer")
    assert after.text == "¿cuántos días tengo para devolver algo?"


def test_a_person_asked_for_first_is_no_signal(hub: LearningHub) -> None:
    conversation_id = hub.hand_off("quiero hablar con una persona")
    hub.wait_idle(conversation_id)
    assert hub.signals() == []
