"""Conversation labels (shown in the queue) and "who else is viewing" a conversation (issue 18)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Event


def claimed(desk: Desk, email: str, source_id: str = "cust-1") -> tuple[int, dict[str, str]]:
    desk.add_agent(email, languages="es,en")
    headers = desk.login(email)
    conversation_id = desk.hand_off(source_id=source_id)
    claim = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    assert claim.status_code == 200, claim.text
    return conversation_id, headers


def labels_url(conversation_id: int) -> str:
    return f"/api/v1/agent/conversations/{conversation_id}/labels"


def test_labels_are_added_normalised_shown_in_the_queue_and_removed(desk: Desk) -> None:
    conversation_id, ana = claimed(desk, "ana@tiendasol.example")
    first = desk.client.post(labels_url(conversation_id), json={"label": "  Reembolso  "}, headers=ana)
    assert first.status_code == 201, first.text
    assert first.json()["labels"] == ["reembolso"]
    desk.client.post(labels_url(conversation_id), json={"label": "VIP"}, headers=ana)
    again = desk.client.post(labels_url(conversation_id), json={"label": "reembolso"}, headers=ana)
    assert again.json()["labels"] == ["reembolso", "vip"]  # the same label twice is one

    [mine] = desk.client.get("/api/v1/agent/queue", headers=ana).json()["mine"]
    assert mine["labels"] == ["reembolso", "vip"]
    assert desk.client.get("/api/v1/agent/labels", headers=ana).json()["labels"] == ["reembolso", "vip"]

    removed = desk.client.delete(f"{labels_url(conversation_id)}/VIP", headers=ana)
    assert removed.status_code == 200 and removed.json()["labels"] == ["reembolso"]
    absent = desk.client.delete(f"{labels_url(conversation_id)}/vip", headers=ana)
    assert (absent.status_code, absent.json()["error"]["code"]) == (404, "label_not_found")
    assert desk.client.get(labels_url(conversation_id), headers=ana).json()["labels"] == ["reembolso"]
    async def label_events(session: AsyncSession) -> list[str]:
        kinds = await session.scalars(
            sa.select(Event.kind).where(Event.conversation_id == conversation_id, Event.kind.like("label_%"))
            .order_by(Event.id)
        )
        return list(kinds)

    kinds = desk.db(label_events)
    assert kinds == ["label_added", "label_added", "label_removed"]


def test_bad_labels_and_other_agents_conversations_are_refused(desk: Desk) -> None:
    conversation_id, ana = claimed(desk, "ana@tiendasol.example")
    for bad in ["", "   ", "a" * 41, "no/slash", "<b>"]:
        response = desk.client.post(labels_url(conversation_id), json={"label": bad}, headers=ana)
        assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_request"), bad
    for n in range(10):
        added = desk.client.post(labels_url(conversation_id), json={"label": f"l{n}"}, headers=ana)
        assert added.status_code == 201
    full = desk.client.post(labels_url(conversation_id), json={"label": "otra"}, headers=ana)
    assert (full.status_code, full.json()["error"]["code"]) == (409, "too_many_labels")

    desk.add_agent("eva@tiendasol.example")
    eva = desk.login("eva@tiendasol.example")
    refused = desk.client.post(labels_url(conversation_id), json={"label": "mía"}, headers=eva)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "conversation_not_allowed")
    assert desk.client.get(labels_url(999), headers=ana).status_code == 404


def test_agents_see_who_else_is_viewing_a_conversation(desk: Desk) -> None:
    desk.add_agent("sara@tiendasol.example", name="Sara", role="supervisor")
    sara = desk.login("sara@tiendasol.example")
    conversation_id, ana = claimed(desk, "ana@tiendasol.example")
    token = ana["Authorization"].split()[1]
    with desk.client.websocket_connect(f"/api/v1/agent/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "subscribed"
        url = f"/api/v1/agent/conversations/{conversation_id}/viewing"
        assert desk.client.post(url, json={"on": True}, headers=sara).status_code == 204
        frame: dict[str, Any] = ws.receive_json()
        assert frame == {"type": "viewing", "conversation_id": conversation_id, "agent_id": frame["agent_id"],
                         "agent_name": "Sara", "on": True}  # fmt: skip
        assert desk.client.post(url, json={"on": False}, headers=sara).status_code == 204
        assert ws.receive_json()["on"] is False

    desk.add_agent("eva@tiendasol.example")
    eva = desk.login("eva@tiendasol.example")
    refused = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/viewing", json={"on": True},
                               headers=eva)  # fmt: skip
    assert refused.status_code == 403
    # Leaving is always allowed: Ana transferred it away and still tells the others she left.
    desk.add_agent("luis@tiendasol.example")
    luis_id = desk.client.get("/api/v1/agent/me", headers=desk.login("luis@tiendasol.example")).json()["id"]
    base = f"/api/v1/agent/conversations/{conversation_id}"
    moved = desk.client.post(f"{base}/transfer", json={"agent_id": luis_id}, headers=ana)
    assert moved.status_code == 200, moved.text
    left = desk.client.post(f"{base}/viewing", json={"on": False}, headers=ana)
    assert left.status_code == 204
