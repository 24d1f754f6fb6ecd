"""Agents' consoles hear about the queue live; the socket needs a login."""

from __future__ import annotations

import pytest
from handoff_testing import Desk
from starlette.websockets import WebSocketDisconnect


def test_a_new_handoff_and_a_claim_reach_the_agents_socket(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    token = headers["Authorization"].split()[1]
    with desk.client.websocket_connect(f"/api/v1/agent/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "subscribed"
        conversation_id = desk.hand_off(source_id="marta")
        assert ws.receive_json() == {"type": "queue_changed", "conversation_id": conversation_id}
        desk.client.post("/api/v1/agent/queue/claim", headers=headers)
        assert ws.receive_json() == {"type": "queue_changed", "conversation_id": conversation_id}


def test_the_agents_socket_refuses_a_bad_token(desk: Desk) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        desk.client.websocket_connect("/api/v1/agent/ws?token=nope") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4401
