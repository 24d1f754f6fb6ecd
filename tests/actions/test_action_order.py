"""Order status: any spelling of the number finds the order; no number -> the bot asks for it; the details
only for the customer the order belongs to (their email or phone), the status in general words otherwise."""

from __future__ import annotations

import datetime as dt

from action_harness import responses, run, tracker

from actions.order import ActionOrderStatus, get_store, use_today
from demo_shop import OrderStore

#: The identified contact AB-12345 (and AB-10007) belong to: the hub's metadata for a WhatsApp customer.
ANA = {"email": None, "phone": "34600111222", "email_verified": False, "phone_verified": True}


def order_entity(value: str) -> list[dict[str, object]]:
    return [{"entity": "order_number", "value": value, "start": 0, "end": len(value)}]


def owner(number: str) -> dict[str, object]:
    """The hub's contact metadata of the customer the seed order belongs to (a shop page's login)."""
    order = get_store().find(number)
    assert order is not None
    return {"email": order.email, "phone": None, "email_verified": False, "phone_verified": False}


def test_shipped_order_gives_carrier_tracking_and_eta(store: OrderStore) -> None:
    t = tracker("dnd esta mi pedido ab12345", "order_status", entities=order_entity("ab12345"), contact=ANA)
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
                entities=order_entity("AB-12345"), language="en", contact=ANA)
    messages, _ = run(ActionOrderStatus(), t)
    assert messages[0]["eta"] == "2026-11-25"
    assert "Blue running shoes" in messages[0]["items"]


def test_missing_number_is_asked_for(store: OrderStore) -> None:
    messages, _ = run(ActionOrderStatus(), tracker("dnd esta mi pedido", "order_status"))
    assert responses(messages) == ["utter_ask_order_number"]


def test_number_given_earlier_is_reused(store: OrderStore) -> None:
    t = tracker("y mi pedido?", "order_status", slots={"order_number": "AB-10008"}, contact=owner("AB-10008"))
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
        messages, _ = run(ActionOrderStatus(), tracker(
            number, "order_status", entities=order_entity(number), contact=owner(number)))
        seen.update(responses(messages))
    assert seen == {"utter_order_pending_payment", "utter_order_preparing", "utter_order_shipped",
                    "utter_order_delivered", "utter_order_cancelled", "utter_order_returned"}


def test_a_shipped_order_past_its_date_gets_an_apology_the_facts_and_a_person_on_offer(
    store: OrderStore,
) -> None:
    use_today(lambda: dt.date(2026, 12, 3))  # AB-12345 was due on 25/11/2026
    t = tracker("dnd esta mi pedido ab12345", "order_status", entities=order_entity("ab12345"), contact=ANA)
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped_late"]  # not "en camino" as if all were well
    late = messages[0]
    assert (late["eta"], late["carrier"]) == ("25/11/2026", "Correos Express")
    assert late["tracking_url"].startswith("https://")
    assert late["buttons"] == [{"title": "Sí, que lo revise una persona", "payload": "/request_human"}]


def test_a_late_order_in_english_offers_a_person_in_english(store: OrderStore) -> None:
    use_today(lambda: dt.date(2026, 12, 3))
    t = tracker("where is my order AB-10002", "order_status",
                entities=order_entity("AB-10002"), language="en", contact=owner("AB-10002"))
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_preparing_late"]
    assert messages[0]["buttons"][0]["title"] == "Yes, have a person check it"


def test_on_its_due_date_an_order_is_not_late_yet(store: OrderStore) -> None:
    use_today(lambda: dt.date(2026, 11, 25))
    t = tracker("pedido AB-12345", "order_status", entities=order_entity("AB-12345"), contact=ANA)
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped"]


# -- the order's owner -------------------------------------------------------------------------------


def test_someone_who_only_knows_the_number_gets_the_status_in_general_words_and_is_asked_to_confirm(
    store: OrderStore,
) -> None:
    stranger = {"email": "otra@example.com", "phone": "34699999999", "email_verified": False,
                "phone_verified": True}
    t = tracker("dnd esta mi pedido ab12345", "order_status", entities=order_entity("ab12345"),
                contact=stranger)
    messages, events = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_confirm_owner"]
    said = messages[0]
    assert (said["order_number"], said["status_words"]) == ("AB-12345", "está en camino")
    for detail in ("carrier", "tracking_url", "eta", "items"):  # nothing the owner alone should learn
        assert detail not in said
    assert said["buttons"] == []
    assert [(e["name"], e["value"]) for e in events] == [("order_number", "AB-12345")]  # kept for the reply


def test_a_customer_unknown_to_the_hub_is_asked_to_confirm_too(store: OrderStore) -> None:
    t = tracker("where is my order AB-10004", "order_status", entities=order_entity("AB-10004"),
                language="en")
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_confirm_owner"]
    assert messages[0]["status_words"] == "is on its way"


def test_writing_the_orders_email_with_its_number_gets_the_details(store: OrderStore) -> None:
    t = tracker("AB-12345 Ana.Lopez@Example.com", "order_status", entities=order_entity("AB-12345"))
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped"]
    assert messages[0]["carrier"] == "Correos Express"


def test_the_phone_written_earlier_in_any_spelling_counts(store: OrderStore) -> None:
    t = tracker("y el pedido AB-12345?", "order_status", entities=order_entity("AB-12345"),
                earlier=["hola, soy Ana, mi móvil es el +34 600 11 12 22"])
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_shipped"]


def test_the_whatsapp_number_of_another_customer_does_not_open_the_order(store: OrderStore) -> None:
    t = tracker("pedido AB-10002", "order_status", entities=order_entity("AB-10002"), contact=ANA)
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_confirm_owner"]
    assert messages[0]["status_words"] == "se está preparando"


def test_a_late_order_in_general_words_still_offers_a_person(store: OrderStore) -> None:
    use_today(lambda: dt.date(2026, 12, 3))
    t = tracker("pedido AB-12345", "order_status", entities=order_entity("AB-12345"))
    messages, _ = run(ActionOrderStatus(), t)
    assert responses(messages) == ["utter_order_confirm_owner"]
    assert messages[0]["status_words"] == "lleva retraso"
    assert messages[0]["buttons"] == [{"title": "Sí, que lo revise una persona", "payload": "/request_human"}]
