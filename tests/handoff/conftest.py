"""Fixtures for handoff tests: the hub on SQLite AND PostgreSQL with a fake Rasa, agents' desk.

PostgreSQL comes from TEST_POSTGRES_URL (default: the local server); a private throw-away
database per test session. Unreachable -> the Postgres half is skipped, unless CI is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from handoff_testing import Desk, FakeRasa
from sqlalchemy import make_url
from starlette.testclient import TestClient

from hub.app import create_app
from hub.settings import Settings

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TABLES = (
    "agent_tokens, agents, channel_outbox, contacts, contact_identities, conversations, messages, "
    "events, handoffs"
)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def handoff_postgres_url() -> Iterator[str]:
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        admin = psycopg.connect(_conninfo(url), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL at TEST_POSTGRES_URL={url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at TEST_POSTGRES_URL={url} is unreachable ({exc}); set it to run")
    # Same name pattern as tests/hub, whose fixture drops databases of killed sessions.
    name = f"hubtest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_postgres(url: str) -> None:
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('public.agents')").fetchone()
        if exists and exists[0]:
            conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("handoff_postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    """SQLite only: for tests whose subject does not depend on the database."""
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


def make_settings(database_url: str, tmp_path: Any, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        rasa_url="http://rasa.test:5005",
        rasa_retry_base=0.0,
        rasa_retry_max=0.0,
        jobs_url="memory://",
        broadcast_url="memory://",
        **overrides,
    )


def _run(settings: Settings, rasa: FakeRasa) -> Iterator[Desk]:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield Desk(client)


@pytest.fixture
def desk(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[Desk]:
    """A hub on SQLite whose fake bot hands off on "persona"/"person" (explicit_request)."""
    rasa.reply = _handing_off_bot
    yield from _run(make_settings(sqlite_url, tmp_path), rasa)


@pytest.fixture
def auto_desk(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[Desk]:
    """Like ``desk`` with HANDOFF_AUTO_ASSIGN on."""
    rasa.reply = _handing_off_bot
    yield from _run(make_settings(sqlite_url, tmp_path, handoff_auto_assign=True), rasa)


@pytest.fixture
def desk_with(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> Callable[..., AbstractContextManager[Desk]]:
    """``with desk_with(HANDOFF_SETTING=...) as desk:`` a hub on SQLite with those settings."""
    rasa.reply = _handing_off_bot

    @contextmanager
    def start(**overrides: Any) -> Iterator[Desk]:
        yield from _run(make_settings(sqlite_url, tmp_path, **overrides), rasa)

    return start


@pytest.fixture
def any_db_desk(database_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[Desk]:
    """Like ``desk``, once on SQLite and once on PostgreSQL."""
    rasa.reply = _handing_off_bot
    yield from _run(make_settings(database_url, tmp_path), rasa)


def _handing_off_bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    lowered = text.lower()
    if "persona" in lowered or "person" in lowered:
        return [
            {"text": "Te paso con una persona."},
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]
    if "queja" in lowered or "complaint" in lowered:
        return [{"custom": {"handoff": {"reason": "complaint", "detail": {"intent": "complaint"}}}}]
    return [{"text": f"echo: {text}"}]
