"""PostgreSQL through either driver: asyncpg (the default for postgresql:// URLs) and psycopg."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy import make_url
from starlette.testclient import TestClient

from hub import db_postgres
from hub.db import create_engine
from hub.db_postgres import KEEPALIVE_IDLE_S, normalize_url
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://hub:pw@db.example:5432/hub", "postgresql+asyncpg://hub:pw@db.example:5432/hub"),
        ("postgresql://hub@db.example/hub", "postgresql+asyncpg://hub@db.example/hub"),
        ("postgresql+psycopg://hub@db.example/hub", "postgresql+psycopg://hub@db.example/hub"),
        ("sqlite+aiosqlite:///var/hub.db", "sqlite+aiosqlite:///var/hub.db"),
    ],
)
def test_a_url_without_a_driver_as_hosting_providers_give_it_uses_asyncpg(given: str, used: str) -> None:
    assert normalize_url(given) == used


def _driver(url: str, driver: str) -> str:
    return make_url(url).set(drivername=f"postgresql+{driver}").render_as_string(hide_password=False)


async def test_asyncpg_connections_notice_a_vanished_server_by_keepalives(postgres_database_url: str) -> None:
    engine = create_engine(_driver(postgres_database_url, "asyncpg"))
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            sock = raw.driver_connection._transport.get_extra_info("socket")  # type: ignore[union-attr]
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == KEEPALIVE_IDLE_S
    finally:
        await engine.dispose()


@pytest.fixture(params=["asyncpg", "psycopg"])
def driver_hub(
    request: pytest.FixtureRequest, postgres_database_url: str, tmp_path: Path
) -> Iterator[HubClient]:
    from tests.conftest import _empty_postgres

    _empty_postgres(postgres_database_url)
    rasa = FakeRasa()
    settings = hub_settings(_driver(postgres_database_url, request.param), tmp_path)
    with TestClient(create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))) as client:
        yield HubClient(client)


def test_a_customer_is_answered_through_either_driver(driver_hub: HubClient) -> None:
    response = driver_hub.post("hola, ¿cuánto tarda el envío?")
    assert response.status_code in (200, 202), response.text
    conversation_id = response.json()["conversation_id"]
    messages = driver_hub.wait_for_replies(conversation_id)
    assert [m["text"] for m in messages] == ["echo: hola, ¿cuánto tarda el envío?"]


@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
async def test_a_connection_cut_while_idle_in_the_pool_is_replaced_before_a_transaction_uses_it(
    postgres_database_url: str, driver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database restart or a proxy's idle timeout cuts pooled connections: the next customer's message
    must be stored, not refused because its transaction got a dead connection."""
    monkeypatch.setattr(db_postgres, "PING_AFTER_IDLE_S", 0.05)
    engine = create_engine(_driver(postgres_database_url, driver), pool_size=1)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        admin = create_engine(_driver(postgres_database_url, driver), pool_size=1)
        async with admin.connect() as other:
            await other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await admin.dispose()
        await asyncio.sleep(0.1)
        async with engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await engine.dispose()
