"""Suite-wide fixtures and ordering.

- ``database_url``: the hub database, once on SQLite and once on PostgreSQL, empty at the start of each test.
  PostgreSQL comes from TEST_POSTGRES_URL (default: the local server); each test session uses a private
  throw-away database. Unreachable -> the Postgres half is skipped, unless CI is set (then it fails).
- ``LEARNING_FEEDBACK_SHARE`` is 0 unless the environment sets it: "¿Te ha servido?" after a random 10% of
  the confident FAQ answers would make any test that reads a conversation fail one run in ten. Tests of the
  sample set the share themselves (tests/learning).
- Browser tests run last: Playwright's sync API keeps an event loop running in the main thread while its
  session-scoped browser is open; any later test that calls asyncio.run() would fail with "cannot be called
  from a running event loop".
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from hub import clock as hub_clock
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa
from tests.support.clock import ManualClock

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

os.environ.setdefault("LEARNING_FEEDBACK_SHARE", "0")  # read by LearningSettings(), in process and in stacks


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: "tests/browser/" in str(item.path))


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
    """Truncate every table the migrations made (whatever they are), keeping the schema."""
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ).fetchall()
        ]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The hub database URL, once per backend; empty at the start of each test."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    url: str = request.getfixturevalue("postgres_database_url")
    _empty_postgres(url)
    return url


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Agents log in in hundreds of tests: scrypt at its production cost (n=2**17, ~0.3 s a hash) is
    tested in tests/handoff/test_passwords.py; elsewhere a small n runs the same code (stored hashes
    carry their n), like Django's fast test hasher."""
    if request.path.name != "test_passwords.py":
        monkeypatch.setattr("handoff.passwords._N", 2**8)


@pytest.fixture
def rasa() -> FakeRasa:
    """The fake Rasa (tests/fakes/rasa.py) an in-process hub talks to through httpx.MockTransport."""
    return FakeRasa()


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """The hub's one clock (hub/clock.py: stored timestamps, business hours), set by hand; starts at the
    real time, and the system clock is back after the test."""
    manual = ManualClock(hub_clock.system())
    previous = hub_clock.use(manual)
    try:
        yield manual
    finally:
        hub_clock.use(previous)


@pytest.fixture(scope="session")
def graph_server() -> Iterator[FakeGraphAPI]:
    """Meta's Graph API, faked over real HTTP on loopback (tests/fakes/graph_api.py), for the session."""
    server = FakeGraphAPI(access_token="test-token").start()
    yield server
    server.stop()


@pytest.fixture
def graph(graph_server: FakeGraphAPI) -> FakeGraphAPI:
    """The fake Graph API server, its recorded requests and scripted failures reset."""
    graph_server.reset()
    return graph_server
