"""Conversation status changes: only through hub.status, each with its events."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession

from hub import status
from hub.crud import conversations
from hub.models import Event


def change(conversation_id: int, fn: Any, **kwargs: Any) -> Any:
    async def run(session: AsyncSession) -> str:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        assert conversation is not None
        await fn(session, conversation=conversation, **kwargs)
        await session.commit()
        return conversation.status

    return run


def events_of(conversation_id: int) -> Any:
    async def run(session: AsyncSession) -> list[tuple[str, Any]]:
        rows = await session.execute(
            sa.select(Event.kind, Event.data)
            .where(Event.conversation_id == conversation_id)
            .order_by(Event.id)
        )
        return [tuple(row) for row in rows]

    return run


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
