"""Reading conversations and following them over websockets."""

from __future__ import annotations

import pytest
from hub_testing import HubClient
from starlette.websockets import WebSocketDisconnect

from tests.fakes.rasa import FakeRasa


def test_unknown_conversation_is_a_404_that_says_where_ids_come_from(hub: HubClient) -> None:
    for path in ("/api/v1/conversations/404", "/api/v1/conversations/404/messages"):
        response = hub.client.get(path, headers=hub.reader_headers())  # an agent: customers get 403
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "conversation_not_found"
        assert "receipt" in response.json()["error"]["message"]


def test_messages_after_id_returns_only_newer_messages(hub: HubClient) -> None:
    receipt = hub.post("hola").json()
    conversation_id = receipt["conversation_id"]
    hub.wait_idle(conversation_id)
    response = hub.client.get(
        f"/api/v1/conversations/{conversation_id}/messages",
        params={"after_id": receipt["id"], "source_id": "cust-1"},
    )
    assert [m["text"] for m in response.json()["messages"]] == ["echo: hola"]


def test_the_conversation_websocket_shows_typing_then_the_reply(hub: HubClient, rasa: FakeRasa) -> None:
    rasa.reply = lambda text, _m: [
        {"text": "¡Hola!", "buttons": [{"title": "Pedidos", "payload": "/orders"}]}
    ]
    conversation_id = hub.post("hola").json()["conversation_id"]
    hub.wait_idle(conversation_id)
    thinking = rasa.hold_replies()  # longer than BOT_TYPING_AFTER: typing shows
    with hub.client.websocket_connect(f"/api/v1/conversations/{conversation_id}/ws?source_id=cust-1") as ws:
        assert ws.receive_json() == {"type": "subscribed", "conversation_id": conversation_id}
        hub.post("¿qué tal?")
        frames = [ws.receive_json() for _ in range(2)]
        thinking.set()
        frames += [ws.receive_json() for _ in range(2)]
    assert [f["type"] for f in frames] == ["message", "typing", "message", "typing"]
    assert frames[0]["message"]["text"] == "¿qué tal?"
    assert frames[1]["on"] is True and frames[3]["on"] is False
    assert frames[2]["message"]["sender_type"] == "bot"
    assert frames[2]["message"]["buttons"] == [{"title": "Pedidos", "payload": "/orders"}]


def test_a_handoff_is_pushed_as_a_status_frame(hub: HubClient, rasa: FakeRasa) -> None:
    conversation_id = hub.post("hola").json()["conversation_id"]
    hub.wait_idle(conversation_id)
    rasa.reply = lambda text, _m: [{"custom": {"handoff": {"reason": "explicit_request"}}}]
    with hub.client.websocket_connect(f"/api/v1/conversations/{conversation_id}/ws?source_id=cust-1") as ws:
        ws.receive_json()
        hub.post("quiero un humano")
        frames = [ws.receive_json()]
        while frames[-1]["type"] != "status" and len(frames) < 8:
            frames.append(ws.receive_json())
    # typing frames come and go around turns (one of "hola"'s may still arrive first): the rest is in order
    shown = [f for f in frames if f["type"] != "typing"]
    assert [f["type"] for f in shown] == ["message", "message", "status"]
    assert shown[0]["message"]["text"] == "quiero un humano"
    assert shown[1]["message"]["message_type"] == "activity"
    assert shown[2]["conversation"]["status"] == "open"


def test_the_websocket_of_an_unknown_conversation_is_closed_for_an_agent_with_4404(hub: HubClient) -> None:
    token = hub.reader_headers()["Authorization"].split()[1]
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        hub.client.websocket_connect(f"/api/v1/conversations/9/ws?token={token}") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4404


def test_the_customer_websocket_gets_receipt_typing_and_reply_before_knowing_the_conversation(
    hub: HubClient, rasa: FakeRasa
) -> None:
    thinking = rasa.hold_replies()  # longer than BOT_TYPING_AFTER: typing shows
    with hub.client.websocket_connect("/api/v1/channels/api/ws?source_id=nora") as ws:
        assert ws.receive_json() == {"type": "subscribed", "source_id": "nora"}
        receipt = hub.post("hola", source_id="nora").json()
        hub.post("hola", source_id="someone-else")
        frames = [ws.receive_json() for _ in range(2)]
        thinking.set()
        frames += [ws.receive_json() for _ in range(2)]
    assert [f["type"] for f in frames] == ["receipt", "typing", "message", "typing"]
    assert frames[0]["receipt"] == receipt
    assert frames[2]["message"]["text"] == "echo: hola"
    assert frames[2]["message"]["conversation_id"] == receipt["conversation_id"]


def test_the_conversation_shows_why_it_was_handed_to_humans(hub: HubClient, rasa: FakeRasa) -> None:
    rasa.reply = lambda text, _m: [
        {"custom": {"handoff": {"reason": "explicit_request", "detail": {"n": 1}}}}
    ]
    conversation_id = hub.post("quiero un humano").json()["conversation_id"]
    hub.wait_idle(conversation_id)
    conversation = hub.conversation(conversation_id)
    assert conversation["status"] == "open"
    assert conversation["handoff"]["reason"] == "explicit_request"
    assert conversation["handoff"]["detail"] == {"n": 1}
