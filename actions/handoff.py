"""Handing the conversation to a person: a message for the customer plus the hub's payload."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

__all__ = ["REASONS", "ActionHandoff", "hand_off", "intent_of"]

#: Handoff reasons the hub understands (docs/architecture.md), each with an utter_handoff_<reason>.
REASONS = ("explicit_request", "nlu_fallback", "kb_no_answer", "complaint")


def intent_of(tracker: Tracker) -> tuple[str | None, float | None]:
    """The latest message's intent name and confidence."""
    intent = tracker.latest_message.get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name"), float(confidence) if confidence is not None else None


def hand_off(dispatcher: CollectingDispatcher, reason: str, detail: dict[str, Any]) -> None:
    """Tell the customer a person will help, and emit ``{"handoff": {reason, detail}}``."""
    if reason not in REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}; one of {REASONS}")
    dispatcher.utter_message(response=f"utter_handoff_{reason}")
    dispatcher.utter_message(json_message={"handoff": {"reason": reason, "detail": detail}})


class ActionHandoff(Action):
    """The customer asked for a person (``explicit_request``) or complained (``complaint``)."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent, confidence = intent_of(tracker)
        reason = "complaint" if intent == "complaint" else "explicit_request"
        detail = {
            "query": tracker.latest_message.get("text"),
            "intent": intent,
            "confidence": confidence,
        }
        hand_off(dispatcher, reason, detail)
        return []
