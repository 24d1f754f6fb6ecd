"""Only an agent or the conversation's own customer reads it: ids are sequential, transcripts private."""

from __future__ import annotations

from typing import Any

import pytest
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocketDisconnect

from hub.crud import arrivals
from hub.models import Contact

SECRET = "soy ana@example.com, pedido A-4242"


def _reads(conversation_id: int) -> list[str]:
    return [f"/api/v1/conversations/{conversation_id}", f"/api/v1/conversations/{conversation_id}/messages"]


def _anas_conversation(hub: HubClient) -> int:
    conversation_id: int = hub.post(SECRET, source_id="ana-7f3a").json()["conversation_id"]
    hub.wait_idle(conversation_id)
    return conversation_id


def _token(hub: HubClient) -> str:
    return hub.reader_headers()["Authorization"].split()[1]


def _refusal(hub: HubClient, path: str) -> tuple[int, str]:
    """The close code and reason a conversation websocket is refused with."""
    with pytest.raises(WebSocketDisconnect) as closed, hub.client.websocket_connect(path) as ws:
        ws.receive_json()
    return closed.value.code, closed.value.reason


def test_without_credentials_nothing_is_read_and_the_answer_says_what_to_send(hub: HubClient) -> None:
    conversation_id = _anas_conversation(hub)
    for path in [*_reads(conversation_id), *_reads(conversation_id + 1000)]:
        response = hub.client.get(path)
        assert response.status_code == 401, path
        error = response.json()["error"]
        assert error["code"] == "credentials_required"  # also for ids that do not exist: nothing to count
        assert "Authorization: Bearer" in error["message"] and "?source_id=" in error["message"]
        assert "ana@example.com" not in response.text and "A-4242" not in response.text


def test_another_customers_source_id_reads_nothing(hub: HubClient) -> None:
    conversation_id = _anas_conversation(hub)
    hub.post("hola", source_id="eve")
    for path in [*_reads(conversation_id), *_reads(conversation_id + 1000)]:
        response = hub.client.get(path, params={"source_id": "eve"})
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "conversation_forbidden"
        assert "source_id" in response.json()["error"]["message"]
        assert "ana@example.com" not in response.text


def test_the_customer_reads_their_conversation_with_their_source_id(hub: HubClient) -> None:
    conversation_id = _anas_conversation(hub)
    messages = hub.client.get(_reads(conversation_id)[1], params={"source_id": "ana-7f3a"})
    conversation = hub.client.get(_reads(conversation_id)[0], params={"source_id": "ana-7f3a"})
    assert messages.status_code == 200 and conversation.status_code == 200
    assert [m["text"] for m in messages.json()["messages"]] == [SECRET, f"echo: {SECRET}"]
    assert conversation.json()["id"] == conversation_id


def test_any_logged_in_agent_reads_it_and_a_stale_token_does_not(hub: HubClient) -> None:
    conversation_id = _anas_conversation(hub)
    agent = hub.client.get(_reads(conversation_id)[1], headers=hub.reader_headers())
    stale = hub.client.get(_reads(conversation_id)[1], headers={"Authorization": "Bearer expired-or-made-up"})
    assert agent.status_code == 200 and agent.json()["messages"][0]["text"] == SECRET
    assert (stale.status_code, stale.json()["error"]["code"]) == (401, "not_authenticated")
    assert "ana@example.com" not in stale.text


def test_a_phone_number_does_not_open_a_whatsapp_conversation(hub: HubClient) -> None:
    """source_id is a secret only on the api channel: a WhatsApp source_id is a phone number."""

    async def whatsapp(session: AsyncSession) -> int:
        contact = Contact(phone="34600111222")
        session.add(contact)
        await session.flush()
        conversation = await arrivals.open_conversation(
            session, contact_id=contact.id, channel="whatsapp", source_id="34600111222", language="es"
        )
        return conversation.id

    conversation_id = hub.db(whatsapp)
    response = hub.client.get(_reads(conversation_id)[1], params={"source_id": "34600111222"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "conversation_forbidden")
    assert hub.client.get(_reads(conversation_id)[1], headers=hub.reader_headers()).status_code == 200


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("", 4401, "?token="),
        ("?source_id=eve", 4403, "source_id"),
        ("?token=made-up", 4401, "log in"),
    ],
)
def test_the_websocket_refuses_strangers_with_a_code_and_what_to_send(
    hub: HubClient, query: str, code: int, words: str
) -> None:
    conversation_id = _anas_conversation(hub)
    closed_with, reason = _refusal(hub, f"/api/v1/conversations/{conversation_id}/ws{query}")
    assert closed_with == code
    assert words in reason


@pytest.mark.parametrize("who", ["customer", "agent"])
def test_the_websocket_streams_to_the_customer_and_to_agents(hub: HubClient, who: str) -> None:
    conversation_id = _anas_conversation(hub)
    query = "source_id=ana-7f3a" if who == "customer" else f"token={_token(hub)}"
    with hub.client.websocket_connect(f"/api/v1/conversations/{conversation_id}/ws?{query}") as ws:
        assert ws.receive_json() == {"type": "subscribed", "conversation_id": conversation_id}
        hub.post("¿sigue ahí?", source_id="ana-7f3a")
        frame: dict[str, Any] = ws.receive_json()
        while frame["type"] == "typing":  # the bot's typing frames may come first (CI, PostgreSQL)
            frame = ws.receive_json()
    assert frame["type"] == "message" and frame["message"]["text"] == "¿sigue ahí?"


def test_the_openapi_document_says_a_token_or_the_source_id_reads_a_conversation(hub: HubClient) -> None:
    spec = hub.client.get("/openapi.json").json()
    for path in (
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/conversations/{conversation_id}/messages",
    ):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"HTTPBearer": []}, {}]  # the token, or no token ...
        assert "source_id" in [p["name"] for p in operation["parameters"]]  # ... and the source_id
        assert "401" in operation["description"] and "403" in operation["description"]
