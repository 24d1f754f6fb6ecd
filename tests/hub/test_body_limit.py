"""Bodies over a route's limit are a 413 before anything parses or stores them (issue 15, finding 3)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from hub_testing import HubClient

from hub.body_limit import BodyLimit

MB = 1024 * 1024


def _refused(response: object) -> dict[str, str]:
    assert response.status_code == 413, response.text  # type: ignore[attr-defined]
    error: dict[str, str] = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "body_too_large"
    assert "Nothing was stored" in error["message"]
    return error


def _message(**extra: object) -> dict[str, object]:
    return {"channel": "api", "source_id": "cust-1", "client_message_id": "m-1", "text": "hola", **extra}


def test_a_5_mb_unknown_field_is_a_413_and_nothing_is_stored(hub: HubClient) -> None:
    response = hub.client.post("/api/v1/messages", json=_message(padding="x" * 5 * MB))
    _refused(response)
    assert "64 KB" in response.json()["error"]["message"]
    assert hub.post("hola").status_code == 202  # the first message of this customer: nothing before it
    assert [m["text"] for m in hub.messages(hub.post("otra").json()["conversation_id"])][:1] == ["hola"]


def test_a_streamed_body_without_content_length_is_cut_at_the_limit(hub: HubClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"channel": "api", "source_id": "cust-1", "client_message_id": "m-1", "text": "'
        for _ in range(400):  # 400 x 16 KB = 6.4 MB if all of it were read
            yield b"x" * 16 * 1024
        yield b'"}'

    response = hub.client.post(
        "/api/v1/messages", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _refused(response)
    assert hub.client.get("/api/v1/conversations/1", headers=hub.reader_headers()).status_code == 404


def test_a_message_just_under_the_limit_is_accepted(hub: HubClient) -> None:
    body = json.dumps(_message(text="a" * 4000)).encode()
    response = hub.client.post(
        "/api/v1/messages", content=body, headers={"Content-Type": "application/json", **hub.api_headers()}
    )
    assert response.status_code == 202


def test_an_oversized_agent_api_body_is_a_413(hub: HubClient) -> None:
    response = hub.client.post(
        "/api/v1/agent/login", json={"email": "a@b.example", "password": "p" * 100_000}
    )
    _refused(response)


async def test_a_declared_content_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    reads: list[str] = []
    called: list[str] = []

    async def app(scope: object, receive: object, send: object) -> None:
        called.append("app")

    async def receive() -> dict[str, object]:
        reads.append("read")
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/channels/whatsapp/webhook",
        "headers": [(b"content-length", str(50 * MB).encode())],
    }
    await BodyLimit(app)(scope, receive, send)  # type: ignore[arg-type]
    assert called == [] and reads == []
    assert sent[0]["status"] == 413
    assert b"body_too_large" in sent[1]["body"]  # type: ignore[operator]
