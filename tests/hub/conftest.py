"""Fixtures for hub tests: a database on SQLite AND PostgreSQL, a fake Rasa, a running hub.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server); each test session uses a
private throw-away database. Unreachable -> the Postgres half is skipped, unless CI is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
import psycopg
import pytest
from hub_testing import FakeRasa, HubClient
from sqlalchemy import make_url
from starlette.testclient import TestClient

from hub.app import create_app
from hub.settings import Settings

T = TypeVar("T")

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HUB_TABLES = "contacts, contact_identities, conversations, messages, events, handoffs"


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """A private database on the test PostgreSQL server, dropped at the end."""
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        admin = psycopg.connect(_conninfo(url), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL at TEST_POSTGRES_URL={url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at TEST_POSTGRES_URL={url} is unreachable ({exc}); set it to run")
    name = f"hubtest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin:
        _drop_stale_databases(admin)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_stale_databases(admin: psycopg.Connection[Any]) -> None:
    """Drop databases of earlier test sessions that were killed before cleaning up."""
    rows = admin.execute(
        "SELECT datname FROM pg_database d WHERE datname LIKE 'hubtest_%' AND NOT EXISTS "
        "(SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)"
    ).fetchall()
    for (name,) in rows:
        pid = int(name.split("_")[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        except PermissionError:
            pass  # alive, another user's session


def _empty_postgres(url: str) -> None:
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('public.messages')").fetchone()
        if exists and exists[0]:
            conn.execute(f"TRUNCATE {HUB_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """The hub database URL, once per backend; empty at the start of each test."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("postgres_database_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        rasa_url="http://rasa.test:5005",
        rasa_retry_base=0.0,
        rasa_retry_max=0.0,
        jobs_url="memory://",
        broadcast_url="memory://",
    )


@pytest.fixture
def hub(settings: Settings, rasa: FakeRasa) -> Iterator[HubClient]:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield HubClient(client)
