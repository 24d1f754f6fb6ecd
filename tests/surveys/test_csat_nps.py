"""CSAT and NPS after a resolution, on the api channel (what every channel shares): when they are asked,
how a reply is read, and what is stored."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

from surveys_testing import SurveyHub

from tests.support.clock import ManualClock

CSAT_ES = "¿Cómo valorarías la atención que has recibido? Elige de 1 (muy mal) a 5 (excelente)."
NPS_ES = "Del 0 al 10, ¿qué probabilidad hay de que nos recomiendes a un amigo o colega?"
COMMENT_ES = "¡Gracias! Si quieres, cuéntanos en un mensaje qué podríamos mejorar (es opcional)."
THANKS_ES = "¡Gracias por tu opinión!"


def _resolved_by_bot(hub: SurveyHub, source_id: str = "cust-1", language: str | None = None) -> int:
    conversation_id = hub.say("¿cuánto tarda el envío?", source_id=source_id, language=language)
    hub.say("muchas gracias", source_id=source_id, language=language)
    hub.wait_closed(conversation_id)
    return conversation_id


def test_after_a_bot_resolution_csat_comes_with_five_buttons_then_a_comment_then_nps(hub: SurveyHub) -> None:
    conversation_id = _resolved_by_bot(hub)
    question = hub.messages(conversation_id)[-1]
    assert question["text"] == CSAT_ES
    assert [b["payload"] for b in question["buttons"]] == ["1", "2", "3", "4", "5"]
    assert question["buttons"][4]["title"] == "5 · Excelente"

    hub.say("4")  # the button's payload
    assert hub.texts(conversation_id)[-1] == COMMENT_ES
    hub.say("Muy rápidos, gracias")
    assert hub.texts(conversation_id)[-2:] == [THANKS_ES, NPS_ES]
    nps = hub.messages(conversation_id)[-1]
    assert [b["payload"] for b in nps["buttons"]] == [str(n) for n in range(11)]
    hub.say("9")

    assert hub.texts(conversation_id)[-1] == THANKS_ES
    assert hub.data(conversation_id, "survey_sent") == [{"kind": "csat"}, {"kind": "nps"}]
    common = {"channel": "api", "agent_ids": [], "human": False}
    assert hub.data(conversation_id, "survey_answered") == [
        {"kind": "csat", "score": 4, "comment": "Muy rápidos, gracias", **common},
        {"kind": "nps", "score": 9, "comment": None, **common},
    ]
    answered = hub.bus_events("survey.answered")
    assert [(e["kind"], e["score"], e["conversation_id"]) for e in answered] == [
        ("csat", 4, conversation_id),
        ("nps", 9, conversation_id),
    ]
    # Ratings never reach Rasa as questions, and the conversation stays resolved.
    assert not {"4", "Muy rápidos, gracias", "9"} & set(hub.rasa.messages_to_bot(conversation_id))
    assert hub.conversation(conversation_id)["status"] == "resolved"
    assert hub.data(conversation_id, "reopened") == []
    assert hub.follow_ups() == []


def test_a_typed_score_with_a_comment_is_one_answer_and_no_thanks_skips_the_comment(hub: SurveyHub) -> None:
    first = _resolved_by_bot(hub, source_id="ana")
    hub.say("5, muy amables", source_id="ana")
    second = _resolved_by_bot(hub, source_id="luis")
    hub.say("3", source_id="luis")
    hub.say("No, gracias", source_id="luis")

    assert [(d["score"], d["comment"]) for d in hub.data(first, "survey_answered")] == [(5, "muy amables")]
    assert [(d["score"], d["comment"]) for d in hub.data(second, "survey_answered")] == [(3, None)]


def test_a_new_question_instead_of_a_rating_is_answered_and_the_survey_dropped(hub: SurveyHub) -> None:
    conversation_id = _resolved_by_bot(hub)

    hub.say("¿Tenéis tienda física en Madrid?")

    assert hub.texts(conversation_id)[-1] == "echo: ¿Tenéis tienda física en Madrid?"
    assert hub.conversation(conversation_id)["status"] == "pending"  # reopened by the customer
    assert [s.state for s in hub.surveys(conversation_id)] == ["dropped"]
    assert hub.data(conversation_id, "survey_answered") == []
    hub.say("3")  # no survey is open any more: the bot reads it
    assert hub.texts(conversation_id)[-1] == "echo: 3"


def test_a_question_instead_of_a_comment_keeps_the_score_and_is_answered(hub: SurveyHub) -> None:
    conversation_id = _resolved_by_bot(hub)
    hub.say("4")

    hub.say("¿Dónde veo mis facturas?")

    assert hub.texts(conversation_id)[-1] == "echo: ¿Dónde veo mis facturas?"
    assert [(d["score"], d["comment"]) for d in hub.data(conversation_id, "survey_answered")] == [(4, None)]


def test_a_comment_that_never_comes_is_stored_without_one(hub: SurveyHub, clock: ManualClock) -> None:
    conversation_id = _resolved_by_bot(hub)
    hub.say("2")
    clock.now += timedelta(minutes=11)  # SURVEYS_COMMENT_MINUTES 10

    hub.sweep()

    assert [(d["score"], d["comment"]) for d in hub.data(conversation_id, "survey_answered")] == [(2, None)]
    assert [(f.kind, f.score, f.conversation_id) for f in hub.follow_ups()] == [("csat", 2, conversation_id)]


def test_every_agent_resolution_gets_csat_and_the_answer_names_the_agent(
    hub_with: Callable[..., AbstractContextManager[SurveyHub]],
) -> None:
    with hub_with(surveys_bot_csat_share=0.0, surveys_nps_every_days=0) as hub:
        conversation_id = hub.hand_off(source_id="marta")
        hub.resolved_by_agent(conversation_id)
        ana = hub.data(conversation_id, "agent_assigned")[0]["agent_id"]
        assert hub.texts(conversation_id)[-1] == CSAT_ES

        hub.say("1", source_id="marta")
        hub.say("Nadie me contestó lo que pregunté", source_id="marta")

        answered = hub.data(conversation_id, "survey_answered")
        assert answered == [
            {
                "kind": "csat",
                "score": 1,
                "comment": "Nadie me contestó lo que pregunté",
                "channel": "api",
                "agent_ids": [ana],
                "human": True,
            }
        ]
        assert hub.texts(conversation_id)[-1] == THANKS_ES  # NPS off: no second question


def test_no_survey_after_a_bot_resolution_outside_the_share(
    hub_with: Callable[..., AbstractContextManager[SurveyHub]],
) -> None:
    with hub_with(surveys_bot_csat_share=0.0, surveys_nps_every_days=0) as hub:
        conversation_id = hub.say("¿cuánto tarda el envío?")
        hub.say("gracias")
        hub.wait_closed(conversation_id)
        assert hub.texts(conversation_id)[-1].startswith("Damos por resuelta")
        assert hub.data(conversation_id, "survey_sent") == []


def test_without_a_reopen_window_no_survey_is_asked_since_no_rating_could_reach_it(
    hub_with: Callable[..., AbstractContextManager[SurveyHub]],
) -> None:
    with hub_with(reopen_window_hours=0, surveys_bot_csat_share=1.0) as hub:
        conversation_id = hub.say("¿cuánto tarda el envío?")
        hub.say("gracias")
        hub.wait_closed(conversation_id)
        assert hub.texts(conversation_id)[-1].startswith("Damos por resuelta")
        assert hub.data(conversation_id, "survey_sent") == []
        assert [d["why"] for d in hub.data(conversation_id, "survey_not_sent")] == ["reopen_window_off"]


def test_nps_is_asked_at_most_once_per_contact_in_the_period(hub: SurveyHub, clock: ManualClock) -> None:
    first = _resolved_by_bot(hub)
    hub.say("5")
    hub.say("no")
    hub.say("10")
    clock.now += timedelta(days=80)
    second = _resolved_by_bot(hub)
    hub.say("5")
    hub.say("no")

    assert [d["kind"] for d in hub.data(first, "survey_sent")] == ["csat", "nps"]
    assert [d["kind"] for d in hub.data(second, "survey_sent")] == ["csat"]
    assert hub.texts(second)[-1] == THANKS_ES

    clock.now += timedelta(days=11)  # 91 days after the first NPS
    third = _resolved_by_bot(hub)
    hub.say("5")
    hub.say("no")
    assert [d["kind"] for d in hub.data(third, "survey_sent")] == ["csat", "nps"]


def test_english_conversations_are_asked_in_english(hub: SurveyHub) -> None:
    conversation_id = hub.say("how long does shipping take?", source_id="john", language="en")
    hub.say("thank you", source_id="john", language="en")
    hub.wait_closed(conversation_id)
    question = hub.wait_until(lambda: hub.messages(conversation_id)[-1]["buttons"], "the question")

    assert hub.messages(conversation_id)[-1]["text"].startswith("How would you rate the help you received?")
    assert question[4]["title"] == "5 · Excellent"


def test_faces_instead_of_numbers(hub_with: Callable[..., AbstractContextManager[SurveyHub]]) -> None:
    with hub_with(surveys_csat_style="faces") as hub:
        conversation_id = _resolved_by_bot(hub)
        buttons = hub.messages(conversation_id)[-1]["buttons"]
        assert [b["title"] for b in buttons] == ["😞 1", "🙁 2", "😐 3", "🙂 4", "😄 5"]
        assert [b["payload"] for b in buttons] == ["1", "2", "3", "4", "5"]


def test_answers_and_a_reopening_on_sqlite_and_postgresql(any_db_hub: SurveyHub) -> None:
    hub = any_db_hub
    conversation_id = hub.hand_off(source_id="marta")
    hub.resolved_by_agent(conversation_id)
    hub.say("2", source_id="marta")
    hub.say("no", source_id="marta")
    hub.say("7", source_id="marta")

    again = hub.say("¿y las devoluciones?", source_id="marta")

    assert again == conversation_id
    assert [(d["kind"], d["score"]) for d in hub.data(conversation_id, "survey_answered")] == [
        ("csat", 2),
        ("nps", 7),
    ]
    assert [(f.kind, f.score) for f in hub.follow_ups()] == [("csat", 2)]
    assert hub.data(conversation_id, "reopened") == [{"by": "customer"}]
    assert hub.texts(conversation_id)[-1] == "echo: ¿y las devoluciones?"
