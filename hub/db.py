"""Database engine, sessions and migrations (Alembic, applied at hub start)."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from hub.db_postgres import connect_args, normalize_url, ping_when_idle, watch_connections

__all__ = [
    "MIGRATIONS_DIR",
    "MIGRATION_LOCK_KEY",
    "Sessions",
    "alembic_config",
    "background_writes",
    "create_engine",
    "migrate",
    "session_factory",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_engine(url: str, *, pool_size: int = 20, pool_timeout: float = 5.0) -> AsyncEngine:
    """An async engine for ``url``; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE.

    Other databases get a fixed pool of ``pool_size`` connections (an overflow connection is
    opened for one transaction and closed after it: under load, a connect per message); a
    checkout that waits ``pool_timeout`` s raises ``sqlalchemy.exc.TimeoutError`` (503).

    SQLite upgrades a read transaction to a write one without waiting, so concurrent
    writers would fail with "database is locked"; taking the write lock at BEGIN makes
    them queue instead.
    """
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(  # hide_parameters: errors never log customer text
            url, pool_size=pool_size, max_overflow=0, pool_timeout=pool_timeout,
            hide_parameters=True, connect_args=connect_args(parsed),
        )
        watch_connections(engine)
        ping_when_idle(engine)
        return engine
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        deferred = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

    return engine


_READ_ONLY = "hub_read_only"  # execution option: a reading session (SQLite: deferred BEGIN)
WRITE_LOCK_WAIT_S = 30.0  # then fall back to SQLite's own lock wait (busy_timeout), as before
_BACKGROUND: ContextVar[bool] = ContextVar("hub_background_writes", default=False)


@contextmanager
def background_writes() -> Iterator[None]:
    """Tasks created inside (bot turns, the outbox sender, sweeps) write after waiting requests."""
    token = _BACKGROUND.set(True)
    try:
        yield
    finally:
        _BACKGROUND.reset(token)


class _WriteTurns:
    """One writer at a time: requests' writers first, then background ones, each in arrival order."""

    def __init__(self) -> None:
        self._held = False
        self._queues: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())

    async def acquire(self, background: bool) -> None:
        if not self._held and not any(self._queues):
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._queues[background]
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed the lock as we were cancelled: pass it on
            elif turn in queue:
                queue.remove(turn)
            raise

    def release(self) -> None:
        for queue in self._queues:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)  # the lock goes to this waiter (stays held)
                    return
        self._held = False


class Sessions(async_sessionmaker[AsyncSession]):
    """``sessions()`` to read, ``sessions.begin()`` to write (committed at the end of the block).

    On SQLite (WAL) a reading session begins a deferred transaction, so it neither waits for nor
    holds the database's single write lock; and this process's writers queue for it in the hub,
    before ``BEGIN IMMEDIATE``, instead of polling SQLite's lock with the busy handler's sleeps (up
    to 100 ms each, the lock idle meanwhile). Writers of requests (a customer's message and its
    receipt, an agent's action) go before background ones (:func:`background_writes`), so under
    load receipts stay fast and bot answers wait. A writer that waited WRITE_LOCK_WAIT_S goes on to
    SQLite's own lock (another hub process may hold it). Other databases: a plain sessionmaker.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self._sqlite = engine.dialect.name == "sqlite"
        self._reader = engine.execution_options(**{_READ_ONLY: True}) if self._sqlite else engine
        self._turns = _WriteTurns()

    def __call__(self, **local_kw: Any) -> AsyncSession:
        local_kw.setdefault("bind", self._reader)
        return super().__call__(**local_kw)

    def begin(self) -> AbstractAsyncContextManager[AsyncSession]:  # type: ignore[override]
        return self._writing()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        if not self._sqlite:
            async with super().begin() as session:
                yield session
            return
        locked = False
        try:
            await asyncio.wait_for(self._turns.acquire(_BACKGROUND.get()), WRITE_LOCK_WAIT_S)
            locked = True
        except TimeoutError:
            log.warning("waited %.0f s for the write lock; using SQLite's", WRITE_LOCK_WAIT_S)
        try:
            async with super().__call__() as session, session.begin():
                yield session
        finally:
            if locked:
                self._turns.release()


def session_factory(engine: AsyncEngine) -> Sessions:
    """Sessions that keep loaded objects usable after commit; see :class:`Sessions`."""
    return Sessions(engine)


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at ``migrations/`` (works without alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS_DIR.as_posix())
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


#: Key of the PostgreSQL advisory lock the migration holds (any constant shared by every hub process).
MIGRATION_LOCK_KEY = 0x4D0_57AD0


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database to the newest migration (a no-op when it is current).

    Processes started together (web processes, workers) may all call this on an empty database: one
    migrates, the others wait and then find it current. PostgreSQL: a transaction-level advisory lock
    taken before Alembic reads ``alembic_version`` (released at the commit); without it two of them
    created the schema at once and one crashed (``UniqueViolation ... alembic_version``). SQLite: the
    transaction begins with ``BEGIN IMMEDIATE`` (:func:`create_engine`), the database's write lock.
    """

    def _upgrade(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
    log.info("database migrated", extra={"db": engine.url.render_as_string(hide_password=True)})
