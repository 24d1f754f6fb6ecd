"""Conversation status changes: only through hub.status, each with its events."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from hub_testing import HubClient
from starlette.testclient import TestClient

from hub import status
from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.clock import ManualClock
from tests.support.conversation_changes import change, events_of


def test_a_message_after_the_reopen_window_starts_a_new_pending_conversation(
    hub: HubClient, clock: ManualClock
) -> None:
    first = hub.post("hola", source_id="marta").json()
    hub.wait_idle(first["conversation_id"])
    assert hub.db(change(first["conversation_id"], status.resolve, by="agent")) == "resolved"
    clock.now += timedelta(hours=72, seconds=1)  # REOPEN_WINDOW_HOURS (72) has passed

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
    assert ("resolved", {"by": "agent", "why": None}) in kinds
    assert not [kind for kind, _ in kinds if kind == "reopened"]


def test_a_message_within_the_reopen_window_reopens_the_conversation_for_the_bot(
    hub: HubClient, clock: ManualClock
) -> None:
    first = hub.post("hola", source_id="marta").json()
    conversation_id = first["conversation_id"]
    hub.wait_idle(conversation_id)
    hub.db(change(conversation_id, status.resolve, by="agent"))
    clock.now += timedelta(hours=71)

    second = hub.post("otra pregunta", source_id="marta").json()
    assert second["conversation_id"] == conversation_id
    texts = [m["text"] for m in hub.wait_idle(conversation_id)]
    assert texts[-2:] == ["otra pregunta", "echo: otra pregunta"]
    conversation = hub.conversation(conversation_id)
    assert (conversation["status"], conversation["resolved_at"]) == ("pending", None)
    kinds = hub.db(events_of(conversation_id))
    assert ("reopened", {"by": "customer"}) in kinds
    assert ("status_changed", {"from": "resolved", "to": "pending", "cause": "customer"}) in kinds


def test_a_reopen_window_of_zero_never_reopens(settings: Settings, rasa: FakeRasa) -> None:
    never = settings.model_copy(update={"reopen_window_hours": 0})
    app = create_app(never, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        hub = HubClient(client)
        first = hub.post("hola", source_id="marta").json()
        hub.wait_idle(first["conversation_id"])
        hub.db(change(first["conversation_id"], status.resolve, by="agent"))
        second = hub.post("otra pregunta", source_id="marta").json()
        assert second["conversation_id"] != first["conversation_id"]


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
