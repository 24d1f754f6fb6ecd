"""The conversation's language: the hub decides it and sends it as message metadata.

It runs as ``action_validate_slot_mappings``, which Rasa's ``action_extract_slots`` calls at the start of
every turn once the domain lists it. (Not as a custom slot mapping action: Rasa 3.6 keeps only the
``SlotSet`` events of those and drops their messages; the validation action's messages reach the REST
answer.) So it also tells the hub that the action server ran this turn: a custom payload ``{"turn":
{"message_id": <the hub's id from the metadata>, "intent", "intent_ranking", "entities"}}``
(:func:`turn_mark`). Rasa shows nothing and logs a warning when the action server cannot be reached; its
policies then go on without the custom actions (often to ``utter_default``, "Perdona, no te he
entendido"). A reply without this mark for its message is no answer to the hub: it retries the turn and,
if the outage lasts, hands the customer to a person (hub/turns/ask.py). The NLU in the mark spares the
hub a second call to Rasa for it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "ActionSetLanguage", "language_of", "turn_mark"]

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"


def _metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.latest_message.get("metadata") or {}
    if not metadata:
        user = tracker.get_last_event_for("user")
        metadata = (user or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def _metadata_language(tracker: Tracker) -> str | None:
    value = _metadata(tracker).get("language")
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def language_of(tracker: Tracker) -> str:
    """``es`` or ``en``: the latest message's metadata, else the slot, else Spanish."""
    slot = tracker.get_slot("language")
    return _metadata_language(tracker) or (slot if slot in LANGUAGES else DEFAULT_LANGUAGE)


def turn_mark(tracker: Tracker) -> dict[str, Any] | None:
    """The hub's proof that the action server ran this turn, with the turn's NLU; None without an id."""
    message_id = _metadata(tracker).get("message_id")
    if message_id is None:
        return None  # not a message from the hub (rasa shell, tests): nothing to mark
    latest = tracker.latest_message or {}
    return {
        "message_id": message_id,
        "intent": latest.get("intent") or {},
        "intent_ranking": (latest.get("intent_ranking") or [])[:10],
        "entities": latest.get("entities") or [],
    }


class ActionSetLanguage(Action):
    """Sets the ``language`` slot after every user message and marks the turn (Rasa's slot validation
    action, ``action_validate_slot_mappings``: any other extracted slot is left as it is, valid)."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        mark = turn_mark(tracker)
        if mark is not None:
            dispatcher.utter_message(json_message={"turn": mark})
        lang = language_of(tracker)
        if tracker.get_slot("language") == lang:
            return []
        return [SlotSet("language", lang)]
