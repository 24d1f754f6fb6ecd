"""The agent's context panel shows the slots the customer filled, not Rasa's bookkeeping."""

from __future__ import annotations

from handoff.context import shown_slots


def test_rasa_internal_and_empty_slots_are_left_out() -> None:
    tracker_slots = {
        "language": "es",
        "order_id": "AB-12345",
        "email": None,
        "session_started_metadata": {"conversation_id": 1, "contact_id": 1, "message_id": 1},
        "requested_slot": None,
    }
    assert shown_slots(tracker_slots) == {"language": "es", "order_id": "AB-12345"}


def test_the_faq_ids_a_clarify_offered_are_not_data_the_customer_gave() -> None:
    """After a clarify the tracker holds the FAQ ids it offered; agents saw them as raw JSON under
    "Datos recogidos por el bot" next to the order number (found by ops/desk_walk.py)."""
    tracker_slots = {"order_number": "AB-12345", "faq_candidates": ["envio-coste", "envio-express"]}
    assert shown_slots(tracker_slots) == {"order_number": "AB-12345"}


def test_a_tracker_without_a_slot_mapping_shows_none() -> None:
    assert shown_slots(None) == {} and shown_slots(["language"]) == {}
