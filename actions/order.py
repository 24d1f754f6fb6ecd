"""Order status from the demo shop, asking for the order number when the customer gave none.

The details (items, carrier, tracking link, dates) go only to the customer the order belongs to: a
matching email or phone, the identified contact's or written in the conversation (actions/order_owner.py).
Anyone else hears the status in general words ("El pedido AB-12345 está en camino") and is asked to
confirm the order's email or phone (``utter_order_confirm_owner``).

An order not delivered whose estimated delivery date has passed is late: the customer gets an apology,
the facts (the date it was due, the carrier and tracking) and a button to have a person look into it
(``utter_order_<status>_late``), never "en camino" with a past date as if all were well.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import language_of
from actions.order_owner import proof_of
from demo_shop import OrderStore, normalize_order_number

__all__ = ["ActionOrderStatus", "get_store", "use_store", "use_today"]

_lock = threading.Lock()
_store: OrderStore | None = None


def use_store(store: OrderStore | None) -> None:
    """Replace the process's order store (tests); ``None`` reopens the default on next use."""
    global _store
    with _lock:
        _store = store


_today: Callable[[], dt.date] = dt.date.today

#: The quick reply under a late order's answer: the customer asks for a person in one tap.
_PERSON_BUTTON = {
    "es": "Sí, que lo revise una persona",
    "en": "Yes, have a person check it",
}
_REQUEST_HUMAN = "/request_human"

#: The status in general words, for someone who has not shown the order is theirs.
_STATUS_WORDS = {
    "es": {
        "pending_payment": "está pendiente de pago",
        "preparing": "se está preparando",
        "shipped": "está en camino",
        "delivered": "consta como entregado",
        "cancelled": "está cancelado",
        "returned": "está devuelto",
        "late": "lleva retraso",
    },
    "en": {
        "pending_payment": "is awaiting payment",
        "preparing": "is being prepared",
        "shipped": "is on its way",
        "delivered": "shows as delivered",
        "cancelled": "is cancelled",
        "returned": "has been returned",
        "late": "is running late",
    },
}


def use_today(today: Callable[[], dt.date] | None) -> None:
    """Replace what "today" is for late orders (tests); ``None`` is the system date again."""
    global _today
    _today = today or dt.date.today


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
        late = order.is_late(_today())
        button = {"title": _PERSON_BUTTON.get(lang, _PERSON_BUTTON["es"]), "payload": _REQUEST_HUMAN}
        proof = proof_of(tracker)
        if not order.belongs_to(emails=proof.emails, phones=proof.phones):
            words = _STATUS_WORDS.get(lang, _STATUS_WORDS["es"])
            dispatcher.utter_message(
                response="utter_order_confirm_owner",
                buttons=[button] if late else [],
                order_number=order.number,
                status_words=words["late" if late else order.status],
            )
            return [SlotSet("order_number", number)]
        if late:
            dispatcher.utter_message(
                response=f"utter_order_{order.status}_late", buttons=[button], **order.slots(lang)
            )
        else:
            dispatcher.utter_message(response=f"utter_order_{order.status}", **order.slots(lang))
        return [SlotSet("order_number", number)]
