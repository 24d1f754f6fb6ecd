"""POST /api/v1/messages: instant receipt, dedup by client message id, clear errors."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from hub.models import Contact, Conversation, Message
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings


async def count_rows(session: AsyncSession) -> dict[str, int]:
    return {
        model.__tablename__: int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
        for model in (Contact, Conversation, Message)
    }


def test_the_receipt_comes_back_while_the_bot_is_still_thinking(hub: HubClient, rasa: FakeRasa) -> None:
    release = asyncio.Event()

    async def think(_body: dict[str, Any]) -> None:
        await release.wait()

    rasa.before_reply = think
    response = hub.post("¿cuánto tarda el envío?", client_message_id="c-1")
    assert response.status_code == 202
    receipt = response.json()
    assert receipt["status"] == "received"
    assert receipt["client_message_id"] == "c-1"
    assert receipt["received_at"].endswith("Z") or "+00:00" in receipt["received_at"]
    conversation_id = receipt["conversation_id"]
    # Stored and readable at once, no reply yet.
    messages = hub.messages(conversation_id)
    assert [(m["id"], m["message_type"], m["status"]) for m in messages] == [
        (receipt["id"], "incoming", "received")
    ]
    hub.client.portal.call(release.set)  # type: ignore[union-attr]
    replies = hub.wait_for_replies(conversation_id)
    assert replies[0]["text"] == "echo: ¿cuánto tarda el envío?"
    assert replies[0]["in_reply_to_id"] == receipt["id"]


def test_the_same_client_message_id_is_stored_and_answered_once(hub: HubClient, rasa: FakeRasa) -> None:
    first = hub.post("hola", client_message_id="dup-1")
    conversation_id = first.json()["conversation_id"]
    hub.wait_idle(conversation_id)
    again = hub.post("hola", client_message_id="dup-1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == first.json()
    messages = hub.wait_idle(conversation_id)
    assert [m["message_type"] for m in messages] == ["incoming", "outgoing"]
    assert len(rasa.webhook_calls) == 1


def test_concurrent_duplicates_are_stored_and_answered_once(hub: HubClient, rasa: FakeRasa) -> None:
    start = threading.Barrier(6)
    results: list[Any] = []

    def send() -> None:
        start.wait()
        results.append(hub.post("quiero cambiar la talla", source_id="racer", client_message_id="same"))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [202]
    assert len({r.json()["id"] for r in results}) == 1
    conversation_id = results[0].json()["conversation_id"]
    messages = hub.wait_idle(conversation_id)
    assert [m["message_type"] for m in messages] == ["incoming", "outgoing"]
    assert len(rasa.webhook_calls) == 1
    assert hub.db(count_rows) == {"contacts": 1, "conversations": 1, "messages": 2}


def test_the_same_client_id_from_two_customers_is_two_messages(hub: HubClient) -> None:
    a = hub.post("hola", source_id="ana", client_message_id="1")
    b = hub.post("hola", source_id="bea", client_message_id="1")
    assert (a.status_code, b.status_code) == (202, 202)
    assert a.json()["id"] != b.json()["id"]
    assert a.json()["contact_id"] != b.json()["contact_id"]


def valid_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "api",
        "source_id": "cust-9",
        "client_message_id": "x-1",
        "text": "hola",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize(
    ("body", "code", "says"),
    [
        (valid_body(text=...), "invalid_request", "text is required"),
        (valid_body(source_id=...), "invalid_request", "source_id is required"),
        (valid_body(client_message_id=...), "invalid_request", "client_message_id is required"),
        (valid_body(text=""), "invalid_request", "text is empty"),
        (valid_body(text="   \n "), "invalid_request", "text is empty"),
        (valid_body(text=42), "invalid_request", "text"),
        (valid_body(language="fr"), "invalid_request", "language"),
        (valid_body(channel="fax"), "unknown_channel", "api"),
        ([1, 2], "malformed_json", "JSON object"),
    ],
)
def test_invalid_input_gets_a_clear_422_and_stores_nothing(
    hub: HubClient, body: Any, code: str, says: str
) -> None:
    response = hub.client.post("/api/v1/messages", json=body, headers=hub.api_headers())
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code
    assert says in error["message"]
    assert hub.db(count_rows) == {"contacts": 0, "conversations": 0, "messages": 0}


def test_malformed_json_gets_a_clear_422(hub: HubClient) -> None:
    response = hub.client.post(
        "/api/v1/messages",
        content=b'{"channel": "api", "text": ',
        headers={"content-type": "application/json", **hub.api_headers()},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "malformed_json"
    assert "valid JSON" in response.json()["error"]["message"]


def test_oversize_text_gets_413_with_the_limit_and_stores_nothing(hub: HubClient) -> None:
    limit = hub.services.settings.max_text_chars
    response = hub.post("a" * (limit + 1))
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "text_too_long"
    assert str(limit) in error["message"] and "split" in error["message"]
    assert hub.db(count_rows) == {"contacts": 0, "conversations": 0, "messages": 0}
    assert hub.post("a" * limit).status_code == 202


def test_a_hub_out_of_database_connections_says_busy_and_stores_nothing(
    database_url: str, tmp_path: Path, rasa: FakeRasa
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no connection pool to run out of")
    settings = hub_settings(database_url, tmp_path, database_pool_size=1, database_pool_timeout=0.2)
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        hub = HubClient(client)
        assert hub.post("hola", client_message_id="first").status_code == 202
        held = threading.Event()
        done = threading.Event()

        async def hold_the_only_connection() -> None:
            async with hub.services.sessions.begin() as session:
                await session.execute(sa.text("SELECT 1"))
                held.set()
                while not done.is_set():
                    await asyncio.sleep(0.01)

        assert client.portal is not None
        client.portal.start_task_soon(hold_the_only_connection)
        assert held.wait(5)
        try:
            response = hub.post("¿hay alguien?", client_message_id="second")
        finally:
            done.set()
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "hub_busy"
        assert "Retry" in error["message"]
        assert hub.post("¿hay alguien?", client_message_id="second").status_code == 202  # the retry is stored
        assert hub.db(count_rows)["messages"] == 2
