"""PostgreSQL connections: the driver, connect timeouts and TCP keepalives.

The hub talks to PostgreSQL through asyncpg (``postgresql+asyncpg://``, the default for a plain
``postgresql://`` or ``postgres://`` URL) or psycopg 3 (``postgresql+psycopg://``, still supported).
asyncpg costs the hub less CPU per statement (binary protocol, statements prepared once per
connection): docs/benchmarks/capacity.md, "The driver".

Either way a connect gives up after 10 s, and TCP keepalives find a server that vanished (a network
cut, a host gone) within about a minute instead of never: psycopg takes them as libpq parameters,
asyncpg has no setting for them, so they are set on its socket once it is connected.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from sqlalchemy import event, exc, make_url
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["PING_AFTER_IDLE_S", "connect_args", "normalize_url", "ping_when_idle", "watch_connections"]

CONNECT_TIMEOUT_S = 10
KEEPALIVE_IDLE_S = 30
KEEPALIVE_INTERVAL_S = 10
KEEPALIVE_COUNT = 3
#: A pooled connection unused this long is pinged before use (SQLAlchemy's pre-ping pings at every one).
PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "hub_idle_since"

_LIBPQ: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT_S,
    "keepalives": 1,
    "keepalives_idle": KEEPALIVE_IDLE_S,
    "keepalives_interval": KEEPALIVE_INTERVAL_S,
    "keepalives_count": KEEPALIVE_COUNT,
}
_ASYNCPG: dict[str, Any] = {"timeout": CONNECT_TIMEOUT_S}

_PLAIN = ("postgres", "postgresql")  # URLs without a driver, as hosting providers hand them out


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (no driver) become ``postgresql+asyncpg://``; others as given."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in _PLAIN:
        return f"postgresql+asyncpg://{rest}"
    return url


def connect_args(url: str | URL) -> dict[str, Any]:
    """The driver's connect arguments for ``url`` (empty for a database other than PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return {}
    return dict(_ASYNCPG if parsed.get_driver_name() == "asyncpg" else _LIBPQ)


def watch_connections(engine: AsyncEngine) -> None:
    """asyncpg: TCP keepalives on every new connection's socket (psycopg sets them from its arguments)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "asyncpg":
        return

    @event.listens_for(engine.sync_engine, "connect")
    def _keepalive(dbapi_connection: Any, _record: Any) -> None:
        transport = getattr(dbapi_connection.driver_connection, "_transport", None)
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # a Unix socket (no TCP), or asyncpg changed its insides: connects as before
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_IDLE_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, KEEPALIVE_COUNT)


def ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use only when it sat idle ``PING_AFTER_IDLE_S`` or longer.

    SQLAlchemy's ``pool_pre_ping`` costs a round trip at every checkout: six per customer message. A
    connection in steady use is known good; one that sat in the pool may have been cut (a database
    restart, a proxy's idle timeout), and a failed ping replaces it and every older one before the
    transaction starts, as pre-ping does. A connection that breaks between two quick uses fails that
    transaction, which is retried (a job) or refused with 503/500 (a request), as any database error.
    """
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # fresh (just connected) or in steady use
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError() from error  # reconnects, older ones too
            raise
