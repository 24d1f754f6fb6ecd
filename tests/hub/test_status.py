"""Conversation status changes: only through hub.status, each with its events."""

from __future__ import annotations

import pytest
from hub_testing import HubClient

from hub import status
from tests.support.conversation_changes import change, events_of


def test_a_message_after_resolution_starts_a_new_pending_conversation(hub: HubClient) -> None:
    first = hub.post("hola", source_id="marta").json()
    hub.wait_idle(first["conversation_id"])
    assert hub.db(change(first["conversation_id"], status.resolve, by="agent")) == "resolved"

    second = hub.post("otra pregunta", source_id="marta").json()
    assert second["conversation_id"] != first["conversation_id"]
    assert second["contact_id"] == first["contact_id"]
    new = hub.conversation(second["conversation_id"])
    old = hub.conversation(first["conversation_id"])
    assert (new["status"], old["status"]) == ("pending", "resolved")
    assert old["resolved_at"] is not None
    assert [m["text"] for m in hub.wait_idle(second["conversation_id"])] == [
        "otra pregunta",
        "echo: otra pregunta",
    ]
    kinds = hub.db(events_of(first["conversation_id"]))
    assert ("status_changed", {"from": "pending", "to": "resolved", "cause": "agent"}) in kinds
    assert ("resolved", {"by": "agent"}) in kinds


def test_resolving_twice_is_refused(hub: HubClient) -> None:
    receipt = hub.post("hola").json()
    hub.wait_idle(receipt["conversation_id"])
    hub.db(change(receipt["conversation_id"], status.resolve))
    with pytest.raises(status.InvalidTransition, match="resolved to resolved"):
        hub.db(change(receipt["conversation_id"], status.resolve))


def test_a_resolved_conversation_can_be_reopened_for_humans(hub: HubClient) -> None:
    receipt = hub.post("hola").json()
    conversation_id = receipt["conversation_id"]
    hub.wait_idle(conversation_id)
    hub.db(change(conversation_id, status.resolve))
    assert hub.db(change(conversation_id, status.reopen)) == "open"
    conversation = hub.conversation(conversation_id)
    assert (conversation["status"], conversation["resolved_at"]) == ("open", None)
