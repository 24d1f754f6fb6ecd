"""Bot-only conversations end (goodbye, silence), say so to the customer, and reopen when the customer
comes back within REOPEN_WINDOW_HOURS."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

from surveys_testing import SurveyHub

from tests.support.clock import ManualClock

CLOSING_ES = "Damos por resuelta tu consulta. Si necesitas algo más, escríbenos cuando quieras."
CLOSING_EN = "We are marking your question as resolved. If you need anything else, just write to us."
AFTER_GOODBYE_ES = "Damos por resuelta tu consulta."  # the bot has just said goodbye
AFTER_GOODBYE_EN = "We are marking your question as resolved."


def test_a_goodbye_after_the_bots_answer_resolves_the_conversation_by_the_bot(hub: SurveyHub) -> None:
    conversation_id = hub.say("¿cuánto tarda el envío?")
    assert hub.conversation(conversation_id)["status"] == "pending"

    hub.say("¡Muchas gracias por la ayuda!")

    hub.wait_closed(conversation_id)
    texts = hub.texts(conversation_id)
    assert texts[-3:-1] == ["echo: ¡Muchas gracias por la ayuda!", AFTER_GOODBYE_ES]
    assert hub.data(conversation_id, "resolved") == [{"by": "bot", "why": "goodbye"}]
    assert hub.bus_events("conversation.resolved")[0]["cause"] == "bot"


def test_thanks_with_a_new_request_or_as_the_first_words_resolves_nothing(hub: SurveyHub) -> None:
    first = hub.say("gracias", source_id="luis")
    second = hub.say("gracias, pero el pedido no ha llegado", source_id="luis")
    third = hub.say("gracias ¿y el envío a Canarias?", source_id="luis")

    assert first == second == third
    assert hub.conversation(first)["status"] == "pending"
    assert hub.data(first, "resolved") == []


def test_silence_after_the_bots_last_answer_resolves_it_and_the_customer_is_told(
    hub: SurveyHub, clock: ManualClock
) -> None:
    conversation_id = hub.say("¿hacéis envíos a Portugal?")

    clock.now += timedelta(minutes=29)
    hub.sweep()
    assert hub.conversation(conversation_id)["status"] == "pending"

    clock.now += timedelta(minutes=2)  # 31 minutes after the bot's answer (SURVEYS_BOT_SILENCE_MINUTES 30)
    hub.sweep()

    assert hub.conversation(conversation_id)["status"] == "resolved"
    assert hub.data(conversation_id, "resolved") == [{"by": "bot", "why": "silence"}]
    assert CLOSING_ES in hub.texts(conversation_id)


def test_silence_while_people_own_the_conversation_resolves_nothing(
    hub: SurveyHub, clock: ManualClock
) -> None:
    with_people = hub.hand_off(source_id="marta")
    clock.now += timedelta(hours=2)

    hub.sweep()

    assert hub.conversation(with_people)["status"] == "open"


def test_the_closing_message_is_in_the_conversations_language(hub: SurveyHub, clock: ManualClock) -> None:
    said_bye = hub.say("how long does shipping take?", source_id="john", language="en")
    went_quiet = hub.say("do you ship to Ireland?", source_id="mary", language="en")

    hub.say("thanks, bye", source_id="john", language="en")
    clock.now += timedelta(minutes=31)
    hub.sweep()

    hub.wait_closed(said_bye)
    assert AFTER_GOODBYE_EN in hub.texts(said_bye)  # the bot has just said goodbye: one sentence
    assert CLOSING_EN in hub.texts(went_quiet)


def test_an_agents_resolution_says_so_too(hub: SurveyHub) -> None:
    conversation_id = hub.hand_off(source_id="marta")

    hub.resolved_by_agent(conversation_id)

    assert CLOSING_ES in hub.texts(conversation_id)
    assert hub.data(conversation_id, "resolved") == [{"by": "agent", "why": None}]


def test_a_customer_writing_again_within_the_window_reopens_the_conversation_for_the_bot(
    hub: SurveyHub, clock: ManualClock
) -> None:
    conversation_id = hub.say("¿cuánto tarda el envío?")
    hub.say("gracias, adiós")
    hub.wait_closed(conversation_id)
    clock.now += timedelta(hours=71)

    again = hub.say("¿y si no estoy en casa?")

    assert again == conversation_id
    assert hub.conversation(conversation_id)["status"] == "pending"
    assert hub.texts(conversation_id)[-1] == "echo: ¿y si no estoy en casa?"
    assert hub.data(conversation_id, "reopened") == [{"by": "customer"}]
    assert [e["cause"] for e in hub.bus_events("conversation.reopened")] == ["customer"]


def test_a_customer_writing_after_the_window_starts_a_new_conversation(
    hub: SurveyHub, clock: ManualClock
) -> None:
    conversation_id = hub.say("¿cuánto tarda el envío?")
    hub.say("gracias, adiós")
    hub.wait_closed(conversation_id)
    clock.now += timedelta(hours=72, minutes=1)

    again = hub.say("¿y si no estoy en casa?")

    assert again != conversation_id
    assert hub.conversation(conversation_id)["status"] == "resolved"
    assert hub.data(conversation_id, "reopened") == []


def test_the_reopen_window_and_the_silence_are_settings(
    hub_with: Callable[..., AbstractContextManager[SurveyHub]], clock: ManualClock
) -> None:
    with hub_with(reopen_window_hours=1, surveys_bot_silence_minutes=5) as hub:
        conversation_id = hub.say("¿cuánto tarda el envío?")
        clock.now += timedelta(minutes=6)
        hub.sweep()
        assert hub.conversation(conversation_id)["status"] == "resolved"
        clock.now += timedelta(hours=1, minutes=1)
        assert hub.say("otra pregunta") != conversation_id


def test_silence_after_the_customers_unanswered_message_is_not_the_bots(
    hub_with: Callable[..., AbstractContextManager[SurveyHub]], clock: ManualClock
) -> None:
    with hub_with(rasa_max_attempts=1) as hub:
        answered = hub.say("¿hacéis envíos a Portugal?", source_id="ana")
        hub.rasa.error_status = 500  # the bot fails the next customer: their message is the last one
        failed = hub.say("¿y a Andorra?", source_id="luis")
        assert hub.messages(failed)[-1]["bot_state"] == "failed"
        clock.now += timedelta(minutes=31)

        hub.sweep()

        assert hub.conversation(answered)["status"] == "resolved"
        assert hub.conversation(failed)["status"] == "pending"


def test_the_silence_sweep_on_sqlite_and_postgresql(any_db_hub: SurveyHub, clock: ManualClock) -> None:
    quiet = any_db_hub.say("¿hacéis envíos a Portugal?", source_id="ana")
    recent = any_db_hub.say("¿y a Francia?", source_id="luis")
    clock.now += timedelta(minutes=31)
    any_db_hub.say("¿y a Italia?", source_id="luis")  # Luis is still talking

    any_db_hub.sweep()

    assert any_db_hub.conversation(quiet)["status"] == "resolved"
    assert any_db_hub.conversation(recent)["status"] == "pending"
