"""Answering questions from the FAQ knowledge base: answer, ask which one was meant, or hand off."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off, intent_of
from actions.knowledge import candidates_of, get_kb, kb_payload
from actions.language import language_of

if TYPE_CHECKING:
    from knowledge_base import Decision, Entry

__all__ = [
    "MAX_OPTIONS",
    "NONE_OF_THESE",
    "PERSON_PAYLOAD",
    "ActionAnswerFaq",
    "choice_payload",
    "ordinal_of",
]

log = logging.getLogger(__name__)

#: At most this many "¿Te refieres a...?" buttons (the "none of these" one comes after them).
MAX_OPTIONS = 3

#: Always the last option of a clarify: none of these fits, a person helps (intent request_human).
NONE_OF_THESE = {
    "es": "Ninguna, hablar con una persona",
    "en": "None, talk to a person",
}
PERSON_PAYLOAD = "/request_human"

_ORDINALS = {
    "1": 0, "primera": 0, "primero": 0, "first": 0,
    "2": 1, "segunda": 1, "segundo": 1, "second": 1,
    "3": 2, "tercera": 2, "tercero": 2, "third": 2,
    "ultima": -1, "última": -1, "ultimo": -1, "último": -1, "last": -1,
}


def ordinal_of(text: str) -> int | None:
    """Index meant by "la segunda", "opcion 2", "the last one"; None when there is none."""
    for word in re.findall(r"\w+", text.lower()):
        if word in _ORDINALS:
            return _ORDINALS[word]
    return None


def choice_payload(entry_id: str) -> str:
    """Button payload that picks one FAQ entry: ``/choose_faq{"faq_id":"envio-plazo"}``."""
    return "/choose_faq" + json.dumps({"faq_id": entry_id}, separators=(",", ":"))


#: Rasa 3.6's response filling returns the raw template when a filled-in value contains this
_TEMPLATE_BREAKER = "0["


def _utter_entry(dispatcher: CollectingDispatcher, entry: Entry) -> None:
    """The answer, introduced by the question it answers ("Sobre «¿Vendéis tarjetas regalo?»: Sí,
    ..."), so a customer whose question was close but different sees the near miss."""
    if _TEMPLATE_BREAKER in entry.question + entry.answer:  # rare: Rasa would print "{answer}"
        dispatcher.utter_message(text=entry.answer)
    else:
        dispatcher.utter_message(response="utter_faq_answer", question=entry.question,
                                 answer=entry.answer)
    if entry.url:
        dispatcher.utter_message(response="utter_faq_more_info", url=entry.url)


def _chosen_id(tracker: Tracker) -> str | None:
    """The FAQ id of a button payload, or the one "la segunda" points at among the last options."""
    entity = next(tracker.get_latest_entity_values("faq_id"), None)
    if entity:
        return str(entity)
    offered = tracker.get_slot("faq_candidates") or []
    index = ordinal_of(tracker.latest_message.get("text") or "")
    if index is None or not offered or index >= len(offered):
        return None
    return str(offered[index])


class ActionAnswerFaq(Action):
    """Asks the knowledge base with the customer's words; also the NLU fallback's first try."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent, _ = intent_of(tracker)
        if intent == "choose_faq":
            return self._answer_choice(dispatcher, tracker)
        return self._ask(dispatcher, tracker, fallback=intent == "nlu_fallback")

    def _answer_choice(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        entry_id = _chosen_id(tracker)
        if entry_id is None:
            dispatcher.utter_message(response="utter_default")
            return []
        lang = language_of(tracker)
        try:
            entry = get_kb().get(entry_id, lang=lang)
        except Exception as exc:  # the customer must never get silence
            log.exception("knowledge base failed on get(%r)", entry_id)
            return self._unavailable(dispatcher, tracker, exc, fallback=False)
        if entry is None:
            reason = f"chosen entry {entry_id!r} is not in the knowledge base"
            hand_off(dispatcher, "kb_no_answer", {"query": entry_id, "kb_reason": reason})
            dispatcher.utter_message(json_message=kb_payload("handoff", reason))
            return [SlotSet("faq_candidates", None)]
        _utter_entry(dispatcher, entry)
        chosen = [{"id": entry.id, "score": 1.0, "question": entry.question}]
        dispatcher.utter_message(
            json_message=kb_payload("answer", "chosen by the customer among the options", chosen)
        )
        return [SlotSet("faq_candidates", None)]

    def _ask(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, *, fallback: bool
    ) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        lang = language_of(tracker)
        try:
            decision: Decision = get_kb().ask(text, lang=lang)
        except Exception as exc:  # the customer must never get silence
            log.exception("knowledge base failed on ask(%r)", text)
            return self._unavailable(dispatcher, tracker, exc, fallback=fallback)
        candidates = candidates_of(decision)
        events = self._reply(dispatcher, tracker, decision, candidates, fallback=fallback)
        dispatcher.utter_message(
            json_message=kb_payload(decision.action, decision.reason, candidates)
        )
        return events

    def _reply(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        decision: Decision,
        candidates: list[dict[str, Any]],
        *,
        fallback: bool,
    ) -> list[EventType]:
        if decision.action == "answer" and decision.answer is not None:
            _utter_entry(dispatcher, decision.answer)
            return [SlotSet("faq_candidates", None)]
        text = tracker.latest_message.get("text") or ""
        detail = {"query": text, "kb_reason": decision.reason, "candidates": candidates}
        if fallback:  # NLU did not understand and the KB is not sure either: a person helps
            intent_ranking = tracker.latest_message.get("intent_ranking") or []
            detail["intent_ranking"] = [
                {"name": i.get("name"), "confidence": round(float(i.get("confidence", 0)), 4)}
                for i in intent_ranking[:3]
            ]
            hand_off(dispatcher, "nlu_fallback", detail)
            return [SlotSet("faq_candidates", None)]
        if decision.action == "clarify" and decision.candidates:
            options = decision.candidates[:MAX_OPTIONS]
            lang = language_of(tracker)
            none = {"title": NONE_OF_THESE.get(lang, NONE_OF_THESE["es"]), "payload": PERSON_PAYLOAD}
            dispatcher.utter_message(
                response="utter_faq_clarify",
                buttons=[
                    *({"title": c.question, "payload": choice_payload(c.entry_id)} for c in options),
                    none,
                ],
            )
            return [SlotSet("faq_candidates", [c.entry_id for c in options])]
        hand_off(dispatcher, "kb_no_answer", detail)
        return [SlotSet("faq_candidates", None)]

    def _unavailable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, exc: Exception, *, fallback: bool
    ) -> list[EventType]:
        reason = f"knowledge base unavailable: {type(exc).__name__}: {exc}"
        detail = {"query": tracker.latest_message.get("text"), "kb_reason": reason}
        hand_off(dispatcher, "nlu_fallback" if fallback else "kb_no_answer", detail)
        dispatcher.utter_message(json_message=kb_payload("handoff", reason))
        return [SlotSet("faq_candidates", None)]
