"""The conversation's language: the hub decides it and sends it as message metadata."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "ActionSetLanguage", "language_of"]

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"


def _metadata_language(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    if not metadata:
        user = tracker.get_last_event_for("user")
        metadata = (user or {}).get("metadata") or {}
    value = metadata.get("language") if isinstance(metadata, dict) else None
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def language_of(tracker: Tracker) -> str:
    """``es`` or ``en``: the latest message's metadata, else the slot, else Spanish."""
    slot = tracker.get_slot("language")
    return _metadata_language(tracker) or (slot if slot in LANGUAGES else DEFAULT_LANGUAGE)


class ActionSetLanguage(Action):
    """Custom slot mapping of the ``language`` slot; runs after every user message."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language_of(tracker)
        if tracker.get_slot("language") == lang:
            return []
        return [SlotSet("language", lang)]
