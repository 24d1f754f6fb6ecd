"""POST /api/v1/agent/conversations/{id}/typing: the customer sees the agent typing."""

from __future__ import annotations

from handoff_testing import Desk


def _claimed(desk: Desk, email: str = "ana@x.example") -> tuple[int, dict[str, str], int]:
    agent_id = desk.add_agent(email)
    headers = desk.login(email)
    conversation_id = desk.hand_off(source_id="marta")
    claim = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    assert claim.status_code == 200, claim.text
    return conversation_id, headers, agent_id


def test_the_agents_typing_reaches_the_customer_and_the_conversation_socket(desk: Desk) -> None:
    conversation_id, headers, agent_id = _claimed(desk)
    url = f"/api/v1/agent/conversations/{conversation_id}/typing"
    with (
        desk.client.websocket_connect("/api/v1/channels/api/ws?source_id=marta") as customer,
        desk.client.websocket_connect(
            f"/api/v1/conversations/{conversation_id}/ws?token={headers['Authorization'].split()[1]}"
        ) as conversation,
    ):
        assert customer.receive_json()["type"] == "subscribed"
        assert conversation.receive_json()["type"] == "subscribed"

        on = desk.client.post(url, json={"on": True}, headers=headers)
        off = desk.client.post(url, json={"on": False}, headers=headers)

        assert (on.status_code, off.status_code) == (204, 204)
        assert customer.receive_json() == {"type": "typing", "on": True, "conversation_id": conversation_id}
        assert customer.receive_json() == {"type": "typing", "on": False, "conversation_id": conversation_id}
        assert conversation.receive_json() == {
            "type": "typing",
            "on": True,
            "by": "agent",
            "agent_id": agent_id,
        }
        assert conversation.receive_json() == {
            "type": "typing",
            "on": False,
            "by": "agent",
            "agent_id": agent_id,
        }


def test_only_the_agent_who_has_the_conversation_may_type_in_it(desk: Desk) -> None:
    conversation_id, _headers, _agent_id = _claimed(desk)
    desk.add_agent("luis@x.example")
    other = desk.login("luis@x.example")

    response = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/typing", json={"on": True}, headers=other
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_conversation"


def test_a_waiting_conversation_cannot_be_typed_in_before_claiming_it(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")

    response = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/typing", json={"on": True}, headers=headers
    )

    assert response.status_code == 403
    assert "claim it first" in response.json()["error"]["message"].lower()


def test_bad_typing_requests_say_what_is_wrong(desk: Desk) -> None:
    conversation_id, headers, _agent_id = _claimed(desk)
    url = f"/api/v1/agent/conversations/{conversation_id}/typing"

    no_login = desk.client.post(url, json={"on": True})
    no_state = desk.client.post(url, json={}, headers=headers)
    unknown = desk.client.post("/api/v1/agent/conversations/999/typing", json={"on": True}, headers=headers)

    assert (no_login.status_code, no_login.json()["error"]["code"]) == (401, "not_authenticated")
    assert no_state.status_code == 422
    assert "on" in no_state.json()["error"]["message"]
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "conversation_not_found")
