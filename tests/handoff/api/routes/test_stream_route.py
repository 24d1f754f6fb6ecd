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


@pytest.mark.parametrize("query", ["?token=nope", "", "?token="], ids=["bad", "none", "empty"])
def test_the_agents_socket_refuses_a_bad_or_missing_token_with_4401(desk: Desk, query: str) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        desk.client.websocket_connect(f"/api/v1/agent/ws{query}") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4401


def test_logging_out_closes_the_sockets_of_that_login_only(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    first = desk.login("ana@x.example")
    second = desk.login("ana@x.example")  # the same agent on another device
    tokens = [h["Authorization"].split()[1] for h in (first, second)]
    with (
        desk.client.websocket_connect(f"/api/v1/agent/ws?token={tokens[0]}") as ws,
        desk.client.websocket_connect(f"/api/v1/agent/ws?token={tokens[1]}") as other,
    ):
        assert ws.receive_json()["type"] == "subscribed"
        assert other.receive_json()["type"] == "subscribed"
        assert desk.client.post("/api/v1/agent/logout", headers=first).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
        conversation_id = desk.hand_off(source_id="marta")  # the other login still hears
        frame = other.receive_json()
        while frame == {"type": "agents_changed"}:  # the logout itself (supervisors' view)
            frame = other.receive_json()
        assert frame == {"type": "queue_changed", "conversation_id": conversation_id}


def test_logging_out_closes_the_conversation_sockets_opened_with_that_login(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    token = headers["Authorization"].split()[1]
    conversation_id = desk.hand_off(source_id="marta")
    with desk.client.websocket_connect(f"/api/v1/conversations/{conversation_id}/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "subscribed"
        assert desk.client.post("/api/v1/agent/logout", headers=headers).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:  # frames already on their way may come first
                ws.receive_json()
        assert closed.value.code == 4401
