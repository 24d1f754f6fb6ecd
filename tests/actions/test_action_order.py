"""Order status: any spelling of the number finds the order; no number -> the bot asks for it."""

from __future__ import annotations

import datetime as dt

from action_harness import responses, run, tracker

from actions.order import ActionOrderStatus, use_today
from demo_shop import OrderStore


def order_entity(value: str) -> list[dict[str, object]]:
    return [{"entity": "order_number", "value": value, "start": 0, "end": len(value)}]


def test_shipped_order_gives_carrier_tracking_and_eta(store: OrderStore) -> None:
    t = tracker("dnd esta mi pedido ab12345", "order_status", entities=order_entity("ab12345"))
    messages, events = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped"]
    shipped = messages[0]
    assert shipped["order_number"] == "AB-12345"
    assert shipped["carrier"] == "Correos Express"
    assert shipped["tracking_url"].startswith("https://")
    assert shipped["eta"] == "25/11/2026"
    assert [(e["name"], e["value"]) for e in events] == [("order_number", "AB-12345")]


def test_english_conversation_gets_english_dates_and_items(store: OrderStore) -> None:
    t = tracker("where is my order AB-12345", "order_status",
                entities=order_entity("AB-12345"), language="en")
    messages, _ = run(ActionOrderStatus(), t)
    assert messages[0]["eta"] == "2026-11-25"
    assert "Blue running shoes" in messages[0]["items"]


def test_missing_number_is_asked_for(store: OrderStore) -> None:
    messages, _ = run(ActionOrderStatus(), tracker("dnd esta mi pedido", "order_status"))
    assert responses(messages) == ["utter_ask_order_number"]


def test_number_given_earlier_is_reused(store: OrderStore) -> None:
    t = tracker("y mi pedido?", "order_status", slots={"order_number": "AB-10008"})
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_cancelled"]


def test_unknown_number_says_so(store: OrderStore) -> None:
    t = tracker("pedido ZZ-99999", "order_status", entities=order_entity("ZZ-99999"))
    messages, events = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_not_found"]
    assert messages[0]["order_number"] == "ZZ-99999"
    assert [(e["name"], e["value"]) for e in events] == [("order_number", None)]


def test_every_status_has_its_own_reply(store: OrderStore) -> None:
    seen = set()
    for number in ["AB-10001", "AB-10002", "AB-12345", "AB-10006", "AB-10008", "AB-10009"]:
        messages, _ = run(ActionOrderStatus(),
                          tracker(number, "order_status", entities=order_entity(number)))
        seen.update(responses(messages))
    assert seen == {"utter_order_pending_payment", "utter_order_preparing", "utter_order_shipped",
                    "utter_order_delivered", "utter_order_cancelled", "utter_order_returned"}


def test_a_shipped_order_past_its_date_gets_an_apology_the_facts_and_a_person_on_offer(
    store: OrderStore,
) -> None:
    use_today(lambda: dt.date(2026, 12, 3))  # AB-12345 was due on 25/11/2026
    t = tracker("dnd esta mi pedido ab12345", "order_status", entities=order_entity("ab12345"))
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped_late"]  # not "en camino" as if all were well
    late = messages[0]
    assert (late["eta"], late["carrier"]) == ("25/11/2026", "Correos Express")
    assert late["tracking_url"].startswith("https://")
    assert late["buttons"] == [{"title": "Sí, que lo revise una persona", "payload": "/request_human"}]


def test_a_late_order_in_english_offers_a_person_in_english(store: OrderStore) -> None:
    use_today(lambda: dt.date(2026, 12, 3))
    t = tracker("where is my order AB-10002", "order_status",
                entities=order_entity("AB-10002"), language="en")
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_preparing_late"]
    assert messages[0]["buttons"][0]["title"] == "Yes, have a person check it"


def test_on_its_due_date_an_order_is_not_late_yet(store: OrderStore) -> None:
    use_today(lambda: dt.date(2026, 11, 25))
    t = tracker("pedido AB-12345", "order_status", entities=order_entity("AB-12345"))
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped"]
