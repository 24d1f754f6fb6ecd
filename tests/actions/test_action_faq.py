"""FAQ questions: a confident answer, "¿Te refieres a...?" options, or a person; agents get the context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from action_harness import StubKB, candidate, custom, responses, run, tracker

from actions.faq import ActionAnswerFaq, ordinal_of
from knowledge_base.decision import Decision
from knowledge_base.entry import Entry

ENVIO = Entry("envio-plazo", "es", "¿Cuánto tarda el envío?", "Entre 24 y 72 horas laborables.",
              url="https://tienda.example.com/envios")
ENVIO_EN = Entry("envio-plazo", "en", "How long does shipping take?", "24 to 72 working hours.",
                 url="https://tienda.example.com/en/shipping")
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
THREE = [candidate("envio-plazo", 0.71), candidate("envio-coste", 0.69),
         candidate("envio-canarias", 0.64), candidate("devolucion-plazo", 0.6)]


def texts(messages: list[dict[str, object]]) -> list[object]:
    return [m["text"] for m in messages if m.get("text")]


def said(messages: list[dict[str, Any]], lang: str = "es") -> list[str]:
    """The KB answers as the customer reads them: utter_faq_answer rendered from domain.yml."""
    variations = DOMAIN["responses"]["utter_faq_answer"]
    template = next(
        v["text"] for v in variations
        if [c["value"] for c in v.get("condition", [])] == ([lang] if lang != "es" else [])
    )
    return [template.format(question=m["question"], answer=m["answer"])
            for m in messages if m.get("response") == "utter_faq_answer"]


def test_confident_answer_is_given_with_its_link(kb: StubKB) -> None:
    kb.decision = Decision("answer", "top score 0.91 >= 0.82", ENVIO, [candidate("envio-plazo", 0.91)])
    messages, _ = run(ActionAnswerFaq(), tracker("cuanto tarda el envio?", "ask_faq"))
    assert kb.asked == [("cuanto tarda el envio?", "es")]
    assert said(messages) == ["Sobre «¿Cuánto tarda el envío?»: Entre 24 y 72 horas laborables."]
    assert texts(messages) == []
    assert responses(messages) == ["utter_faq_answer", "utter_faq_more_info"]
    more = [m for m in messages if m.get("response") == "utter_faq_more_info"]
    assert more[0]["url"] == "https://tienda.example.com/envios"
    assert custom(messages, "handoff") is None
    assert custom(messages, "kb") == {
        "decision": "answer", "reason": "top score 0.91 >= 0.82",
        "candidates": [{"id": "envio-plazo", "score": 0.91, "question": "¿Cuánto tarda el envío?",
                        "answer": "Entre 24 y 72 horas laborables.", "lang": "es"}],
    }  # the answer: agents insert it from the context panel
    assert kb.reloads == 1  # the KB is checked for changed files on every request


def test_an_answer_rasa_could_not_fill_in_is_said_plainly(kb: StubKB) -> None:
    entry = Entry("tallas", "es", "¿Qué tallas hay?", "De la 30[EU] a la 50[EU].")
    kb.decision = Decision("answer", "ok", entry, [])
    messages, _ = run(ActionAnswerFaq(), tracker("tallas?", "ask_faq"))
    assert texts(messages) == ["De la 30[EU] a la 50[EU]."]
    assert said(messages) == []


def test_english_conversation_asks_the_kb_in_english(kb: StubKB) -> None:
    kb.decision = Decision("answer", "ok", ENVIO_EN, [candidate("envio-plazo", 0.9, "en")])
    messages, _ = run(ActionAnswerFaq(),
                      tracker("how long is shipping", "ask_faq", language="en"))
    assert kb.asked == [("how long is shipping", "en")]
    assert said(messages, "en") == ['About "How long does shipping take?": 24 to 72 working hours.']


def test_unsure_kb_offers_at_most_three_options_as_buttons(kb: StubKB) -> None:
    kb.decision = Decision("clarify", "between thresholds", None, THREE)
    messages, events = run(ActionAnswerFaq(), tracker("envio", "ask_faq"))
    clarify = [m for m in messages if m.get("response") == "utter_faq_clarify"]
    assert len(clarify) == 1
    buttons = clarify[0]["buttons"]
    assert [b["title"] for b in buttons] == [
        "¿Cuánto tarda el envío?", "¿Cuánto cuesta el envío?", "¿Enviáis a Canarias?",
        "Ninguna, hablar con una persona"]
    assert buttons[0]["payload"] == '/choose_faq{"faq_id":"envio-plazo"}'
    assert buttons[-1]["payload"] == "/request_human"  # none of these: a person (explicit request)
    assert custom(messages, "handoff") is None
    kb_context = custom(messages, "kb")
    assert kb_context is not None and kb_context["decision"] == "clarify"
    assert len(kb_context["candidates"]) == 4  # agents see everything the KB considered
    assert [(e["name"], e["value"]) for e in events] == [
        ("faq_candidates", ["envio-plazo", "envio-coste", "envio-canarias"])]


def test_button_payload_answers_the_chosen_entry(kb: StubKB) -> None:
    t = tracker('/choose_faq{"faq_id":"envio-plazo"}', "choose_faq", language="en",
                entities=[{"entity": "faq_id", "value": "envio-plazo"}])
    messages, _ = run(ActionAnswerFaq(), t)
    assert said(messages, "en") == ['About "How long does shipping take?": 24 to 72 working hours.']
    kb_context = custom(messages, "kb")
    assert kb_context is not None and kb_context["decision"] == "answer"
    assert kb.asked == []


def test_typed_ordinal_picks_among_the_offered_options(kb: StubKB) -> None:
    t = tracker("la segunda", "choose_faq",
                slots={"faq_candidates": ["envio-plazo", "envio-coste", "envio-canarias"]})
    messages, _ = run(ActionAnswerFaq(), t)
    assert said(messages) == ["Sobre «¿Cuánto cuesta el envío?»: 4,95 €."]


def test_ordinal_without_options_asks_again(kb: StubKB) -> None:
    messages, _ = run(ActionAnswerFaq(), tracker("la primera", "choose_faq"))
    assert responses(messages) == ["utter_default"]
    assert custom(messages, "handoff") is None


def test_no_answer_hands_off_with_kb_context(kb: StubKB) -> None:
    kb.decision = Decision("handoff", "top score 0.21 < clarify 0.55", None,
                           [candidate("devolucion-plazo", 0.21)])
    messages, _ = run(ActionAnswerFaq(), tracker("teneis patinetes electricos?", "ask_faq"))
    assert responses(messages) == ["utter_handoff_kb_no_answer"]
    handoff = custom(messages, "handoff")
    assert handoff is not None and handoff["reason"] == "kb_no_answer"
    assert handoff["detail"]["candidates"][0]["id"] == "devolucion-plazo"
    kb_context = custom(messages, "kb")
    assert kb_context is not None and kb_context["decision"] == "handoff"


def test_not_understood_and_kb_unsure_goes_to_a_person(kb: StubKB) -> None:
    kb.decision = Decision("clarify", "between thresholds", None, THREE)
    messages, _ = run(ActionAnswerFaq(), tracker("asdfgh", "nlu_fallback", confidence=0.3))
    assert responses(messages) == ["utter_handoff_nlu_fallback"]
    handoff = custom(messages, "handoff")
    assert handoff is not None and handoff["reason"] == "nlu_fallback"
    assert [c["id"] for c in handoff["detail"]["candidates"]][:1] == ["envio-plazo"]
    assert custom(messages, "kb") is not None


def test_not_understood_but_kb_confident_answers(kb: StubKB) -> None:
    kb.decision = Decision("answer", "ok", ENVIO, [candidate("envio-plazo", 0.9)])
    messages, _ = run(ActionAnswerFaq(), tracker("q tardais en mandar", "nlu_fallback"))
    assert said(messages) == ["Sobre «¿Cuánto tarda el envío?»: Entre 24 y 72 horas laborables."]
    assert custom(messages, "handoff") is None


def test_broken_kb_still_gets_the_customer_a_person(kb: StubKB) -> None:
    kb.decision = RuntimeError("index missing")
    messages, _ = run(ActionAnswerFaq(), tracker("cuanto tarda el envio", "ask_faq"))
    handoff = custom(messages, "handoff")
    assert handoff is not None and handoff["reason"] == "kb_no_answer"
    kb_context = custom(messages, "kb")
    assert kb_context is not None and "index missing" in kb_context["reason"]


def test_ordinals_in_both_languages() -> None:
    assert ordinal_of("la primera") == 0
    assert ordinal_of("opcion 2") == 1
    assert ordinal_of("the third one") == 2
    assert ordinal_of("la ultima") == -1
    assert ordinal_of("envio") is None


def test_an_english_clarify_offers_none_of_these_in_english(kb: StubKB) -> None:
    kb.decision = Decision("clarify", "between thresholds", None, THREE)
    messages, _ = run(ActionAnswerFaq(), tracker("shipping", "ask_faq", language="en"))
    [clarify] = [m for m in messages if m.get("response") == "utter_faq_clarify"]
    assert clarify["buttons"][-1] == {"title": "None, talk to a person", "payload": "/request_human"}
