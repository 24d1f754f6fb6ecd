"""POST /api/v1/messages needs an API key with the messages:write scope (issue 15, finding 1)."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession

from hub import api_keys
from hub.models import ApiKey, Message


def _post(hub: HubClient, headers: dict[str, str]) -> httpx.Response:
    body = {
        "channel": "api",
        "source_id": "integration-1",
        "client_message_id": uuid.uuid4().hex,
        "text": "hola",
    }
    return hub.client.post("/api/v1/messages", json=body, headers=headers)


def _key(hub: HubClient, *scopes: str) -> tuple[int, str]:
    async def create(session: AsyncSession) -> tuple[int, str]:
        row, key = await api_keys.create(session, name="integration", scopes=scopes or api_keys.SCOPES)
        return row.id, key

    return hub.db(create)


def _stored(hub: HubClient) -> int:
    """Customers' messages stored (the bot's answers aside)."""

    async def count(session: AsyncSession) -> int:
        query = sa.select(sa.func.count()).select_from(Message).where(Message.message_type == "incoming")
        return int(await session.scalar(query) or 0)

    return hub.db(count)


def _row(hub: HubClient, key_id: int) -> ApiKey:
    async def get(session: AsyncSession) -> ApiKey | None:
        return await session.get(ApiKey, key_id)

    row = hub.db(get)
    assert row is not None
    return row


def test_without_a_key_it_is_401_saying_what_to_send_and_nothing_is_stored(hub: HubClient) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}):
        response = _post(hub, headers)
        assert response.status_code == 401, response.text
        error = response.json()["error"]
        assert error["code"] == "credentials_required"
        assert "Authorization: Bearer <API key>" in error["message"]
        assert "python -m hub.api_keys create" in error["message"]
    assert _stored(hub) == 0


def test_an_unknown_or_revoked_key_is_401(hub: HubClient) -> None:
    key_id, key = _key(hub)
    assert _post(hub, {"Authorization": f"Bearer {key}"}).status_code == 202

    async def revoke(session: AsyncSession) -> None:
        await api_keys.revoke(session, key_id=key_id)

    hub.db(revoke)
    for sent in (key, key + "x", "mk_" + "A" * 43):
        response = _post(hub, {"Authorization": f"Bearer {sent}"})
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "not_authenticated"
        assert "revoked" in response.json()["error"]["message"]
    assert _stored(hub) == 1


def test_a_key_without_the_scope_is_403(hub: HubClient) -> None:
    _id, key = _key(hub, api_keys.CONVERSATIONS_READ)
    response = _post(hub, {"Authorization": f"Bearer {key}"})
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "scope_missing"
    assert "messages:write" in error["message"]
    assert _stored(hub) == 0


def test_a_valid_key_posts_and_its_use_is_recorded_but_never_the_key(hub: HubClient) -> None:
    key_id, key = _key(hub, api_keys.MESSAGES_WRITE)
    assert _row(hub, key_id).last_used_at is None
    response = _post(hub, {"Authorization": f"Bearer {key}"})
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "received"
    row = _row(hub, key_id)
    assert row.last_used_at is not None
    assert row.key_hash == api_keys.hash_key(key) and key not in (row.key_hash, row.prefix)
    assert key.startswith(row.prefix) and len(key) >= 40
