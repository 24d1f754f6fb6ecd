"""Input the database cannot take is a clear 4xx with nothing stored, never a 500 (issue 15, finding 4).

Each case runs on SQLite and PostgreSQL (``database_url``); after each one the same keep-alive
connection still answers (a 500 that re-raised used to make uvicorn drop it).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hub_testing import HubClient

from hub import api_keys
from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.live_server import serving

HUGE_IDS = ["9223372036854775808", "2147483648", "99999999999999999999999"]


def _message(**fields: Any) -> bytes:
    body = {"channel": "api", "source_id": "cust-1", "client_message_id": "m-1", "text": "hola", **fields}
    return json.dumps(body).encode()  # ensure_ascii: a lone surrogate travels as the escape \ud800


def _stored(hub: HubClient) -> int:
    async def count(session: Any) -> int:
        from sqlalchemy import func, select

        from hub.models import Message

        return int((await session.execute(select(func.count()).select_from(Message))).scalar_one())

    return hub.db(count)


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_id_beyond_the_database_range_is_a_4xx_in_paths_and_after_id(hub: HubClient, huge: str) -> None:
    agent = hub.reader_headers()
    conversation_id = hub.post("hola").json()["conversation_id"]
    answers = [
        hub.client.get(f"/api/v1/conversations/{huge}", headers=agent),
        hub.client.get(f"/api/v1/conversations/{huge}/messages", headers=agent),
        hub.client.post(f"/api/v1/agent/conversations/{huge}/claim", headers=agent),
        hub.client.get(f"/api/v1/agent/contacts/{huge}", headers=agent),
        hub.client.post(
            "/api/v1/agent/contacts/1/merge", json={"other_contact_id": int(huge)}, headers=agent
        ),
    ]
    for response in answers:
        assert 400 <= response.status_code < 500, (response.request.url, response.text)
        assert response.json()["error"]["message"]
    # after_id past every message: an empty page where the database can compare it, else a 422
    after = hub.client.get(f"/api/v1/conversations/{conversation_id}/messages?after_id={huge}", headers=agent)
    assert after.status_code in (200, 422), after.text
    assert after.status_code == 422 or after.json()["messages"] == []
    assert hub.client.get(f"/api/v1/conversations/{conversation_id}", headers=agent).status_code == 200


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"text": "hola \ud800"}, "text"),
        ({"text": "hola \x00 adiós"}, "text"),
        ({"source_id": "cust\x00"}, "source_id"),
        ({"client_message_id": "m\x00"}, "client_message_id"),
    ],
)
def test_a_lone_surrogate_or_nul_in_a_message_is_a_422_and_nothing_is_stored(
    hub: HubClient, fields: dict[str, str], where: str
) -> None:
    response = hub.client.post(
        "/api/v1/messages",
        content=_message(**fields),
        headers={"Content-Type": "application/json", **hub.api_headers()},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert where in response.json()["error"]["message"]
    assert _stored(hub) == 0
    assert hub.post("hola").status_code == 202


def test_an_agent_reply_with_a_lone_surrogate_or_nul_is_a_4xx(hub: HubClient) -> None:
    conversation_id = hub.post("hola").json()["conversation_id"]
    hub.wait_idle(conversation_id)
    agent = hub.reader_headers()
    for text in ('"a \\ud800"', '"a \\u0000 b"'):
        response = hub.client.post(
            f"/api/v1/agent/conversations/{conversation_id}/notes",
            content=b'{"text": ' + text.encode() + b"}",
            headers={**agent, "Content-Type": "application/json"},
        )
        assert 400 <= response.status_code < 500, response.text


async def _two_requests(url: str, first: bytes) -> tuple[bytes, bytes]:
    """``first`` then a health check on one keep-alive connection: both status lines."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    statuses = []
    try:
        for request in (first, b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n"):
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            statuses.append(head.split(b"\r\n")[0])
    finally:
        writer.close()
    return statuses[0], statuses[1]


async def test_after_bad_input_the_same_keep_alive_connection_still_works(
    settings: Settings, rasa: FakeRasa
) -> None:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    bodies = [_message(text="a \ud800"), _message(text="a \x00"), b"[" * 60_000 + b"]" * 60_000]
    async with serving(app) as url:
        async with app.state.services.sessions.begin() as session:
            _row, key = await api_keys.create(session, name="tests")
        requests = [
            b"GET /api/v1/conversations/9223372036854775808 HTTP/1.1\r\nHost: hub\r\n\r\n",
            *(
                b"POST /api/v1/messages HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
                + f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
                for body in bodies
            ),
        ]
        for request in requests:
            first, second = await _two_requests(url, request)
            assert first.split()[1][:1] == b"4", first
            assert second.split()[1] == b"200", second
