"""'¿Te ha servido?' after FAQ answers that are not clearly confident (or a sample), on the api channel:
Sí is thanked, No gets a person at once, a new question is answered; each answer stored as a signal with
the answer's entry, score and decision."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from learning_testing import LearningHub

QUESTION = "¿Te ha servido?"


def test_an_unsure_answer_is_asked_about_and_a_yes_is_thanked_and_stored(any_db_hub: LearningHub) -> None:
    hub = any_db_hub
    conversation_id = hub.say("¿cuánto tarda mi pedido?")
    shown = hub.wait_until(lambda: (t := hub.texts(conversation_id))[-1] == QUESTION and t, "asked")
    assert shown[-2:] == ["answer: envio-plazo", QUESTION]
    question = hub.messages(conversation_id)[-1]
    assert [b["payload"] for b in question["buttons"]] == ["/feedback_yes", "/feedback_no"]
    assert [b["title"] for b in question["buttons"]] == ["👍 Sí", "👎 No"]

    hub.say("/feedback_yes")
    assert hub.texts(conversation_id)[-1].startswith("¡Genial, gracias")
    assert hub.conversation(conversation_id)["status"] == "pending"  # the bot keeps it
    assert len(hub.rasa.calls) == 1  # the answer never reached the bot
    [row] = hub.signals()
    assert (row.kind, row.strength, row.text, row.language) == (
        "helpful", "explicit", "¿cuánto tarda mi pedido?", "es"
    )
    assert (row.decision, row.entry_id, row.score) == ("answer", "envio-plazo", 0.93)
    assert row.expected == "envio-plazo"
    assert row.kb is not None and row.kb["candidates"][1]["id"] == "envio-coste"
    assert row.contact_id is not None and row.agent_id is None
    assert [a.state for a in hub.asks()] == ["answered"]


def test_no_offers_a_person_at_once_with_the_answer_in_the_handoff(hub: LearningHub) -> None:
    conversation_id = hub.say("¿cuánto tarda mi pedido?")
    hub.wait_until(lambda: hub.texts(conversation_id)[-1] == QUESTION, "asked")
    hub.say("no")
    hub.wait_status(conversation_id, "open")
    texts = hub.texts(conversation_id)
    assert "Vaya, siento que no te haya servido. Te paso con una persona del equipo." in texts
    assert hub.conversation(conversation_id)["handoff"]["reason"] == "not_helpful"
    [handoff] = hub.data(conversation_id, "bot_handoff")
    assert handoff["reason"] == "not_helpful"
    [row] = hub.signals()
    assert (row.kind, row.entry_id, row.expected) == ("not_helpful", "envio-plazo", None)
    # The agent who takes it sees what the bot answered (the handoff's detail).
    detail = hub.conversation(conversation_id)["handoff"].get("detail") or {}
    assert detail.get("entry_id") == "envio-plazo"


def test_a_new_question_instead_of_feedback_is_answered(hub: LearningHub) -> None:
    conversation_id = hub.say("¿cuánto tarda mi pedido?")
    hub.wait_until(lambda: hub.texts(conversation_id)[-1] == QUESTION, "asked")
    hub.say("no me llega el código de descuento")
    assert "echo: no me llega el código de descuento" in hub.texts(conversation_id)
    assert hub.conversation(conversation_id)["status"] == "pending"
    assert hub.signals() == []
    assert [a.state for a in hub.asks()] == ["ignored"]


def test_a_confident_answer_is_not_asked_about_unless_sampled(
    hub_with: Callable[..., AbstractContextManager[LearningHub]],
) -> None:
    with hub_with() as hub:
        conversation_id = hub.say("¿cuántos días tengo para devolver algo?")
        assert QUESTION not in hub.texts(conversation_id)
    with hub_with(learning_feedback_share=1.0) as hub:
        conversation_id = hub.say("¿cuántos días tengo para devolver algo?", source_id="cust-2")
        hub.wait_until(lambda: hub.texts(conversation_id)[-1] == QUESTION, "asked")
        assert [a.why for a in hub.asks()] == ["sampled"]


def test_never_twice_in_a_row_and_never_when_switched_off(
    hub_with: Callable[..., AbstractContextManager[LearningHub]],
) -> None:
    with hub_with() as hub:
        conversation_id = hub.say("¿cuánto tarda mi pedido?")
        hub.wait_until(lambda: hub.texts(conversation_id)[-1] == QUESTION, "asked")
        hub.say("¿y cuánto tarda a Canarias?")  # a new question, just as unsure
        texts = hub.texts(conversation_id)
        assert texts[-1] == "answer: envio-plazo" and texts.count(QUESTION) == 1
        hub.say("¿y a Baleares cuánto tarda?")  # the one after is asked again
        hub.wait_until(lambda: hub.texts(conversation_id).count(QUESTION) == 2, "asked again")
    with hub_with(learning_feedback=False) as hub:
        conversation_id = hub.say("¿cuánto tarda mi pedido?", source_id="cust-9")
        assert QUESTION not in hub.texts(conversation_id)


def test_a_late_no_goes_to_the_bot(hub_with: Callable[..., AbstractContextManager[LearningHub]]) -> None:
    with hub_with(learning_feedback_minutes=0.001) as hub:
        conversation_id = hub.say("¿cuánto tarda mi pedido?")
        hub.wait_until(lambda: hub.texts(conversation_id)[-1] == QUESTION, "asked")
        import time

        time.sleep(0.1)
        hub.say("no")
        assert hub.texts(conversation_id)[-1] == "echo: no"
        assert [a.state for a in hub.asks()] == ["expired"]


def test_an_english_customer_is_asked_in_english(hub: LearningHub) -> None:
    conversation_id = hub.say("how long does delivery take?", language="en")
    hub.wait_until(lambda: hub.texts(conversation_id)[-1] == "Did this help?", "asked")
    hub.say("no", language="en")
    hub.wait_status(conversation_id, "open")
    assert "Sorry it didn't help. I'm passing you to a person from our team." in hub.texts(conversation_id)
    [row] = hub.signals()
    assert (row.kind, row.language) == ("not_helpful", "en")


def test_a_failing_feedback_taker_does_not_keep_the_customer_from_an_answer(
    hub: LearningHub, monkeypatch: object
) -> None:
    from learning.feedback import FeedbackReplies

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    conversation_id = hub.say("¿cuánto tarda mi pedido?")
    hub.wait_until(lambda: hub.texts(conversation_id)[-1] == QUESTION, "asked")
    monkeypatch.setattr(FeedbackReplies, "take", broken)  # type: ignore[attr-defined]
    hub.say("no")
    assert hub.texts(conversation_id)[-1] == "echo: no"
    assert hub.conversation(conversation_id)["status"] == "pending"
