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


def test_a_tracker_without_a_slot_mapping_shows_none() -> None:
    assert shown_slots(None) == {} and shown_slots(["language"]) == {}
