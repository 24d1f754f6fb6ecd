"""Order status from the demo shop, asking for the order number when the customer gave none."""

from __future__ import annotations

import threading
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import language_of
from demo_shop import OrderStore, normalize_order_number

__all__ = ["ActionOrderStatus", "get_store", "use_store"]

_lock = threading.Lock()
_store: OrderStore | None = None


def use_store(store: OrderStore | None) -> None:
    """Replace the process's order store (tests); ``None`` reopens the default on next use."""
    global _store
    with _lock:
        _store = store


def get_store() -> OrderStore:
    global _store
    with _lock:
        if _store is None:
            _store = OrderStore()
        return _store


class ActionOrderStatus(Action):
    """Looks the order up by the number in the message (or the one given earlier)."""

    def name(self) -> str:
        return "action_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        said = next(tracker.get_latest_entity_values("order_number"), None)
        number = normalize_order_number(said) or normalize_order_number(
            tracker.get_slot("order_number")
        )
        if number is None:
            dispatcher.utter_message(response="utter_ask_order_number")
            return [SlotSet("order_number", None)]
        order = get_store().find(number)
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_number=number)
            return [SlotSet("order_number", None)]
        lang = language_of(tracker)
        dispatcher.utter_message(response=f"utter_order_{order.status}", **order.slots(lang))
        return [SlotSet("order_number", number)]
