"""What a database error means, the same through every driver (aiosqlite, psycopg, asyncpg).

psycopg raises a deadlock as ``OperationalError`` and an out-of-range integer as ``DataError``;
asyncpg's SQLAlchemy dialect raises both as a plain ``DBAPIError`` and refuses an out-of-range
parameter before sending it (a ``ValueError``). Code that retries or refuses by cause asks here.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

__all__ = ["RACES", "bad_value", "lost_race", "sqlstate"]

#: Another transaction won: deadlock detected, serialization failure, row locked (``NOWAIT``).
RACES = frozenset({"40P01", "40001", "55P03"})


def sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    """PostgreSQL's SQLSTATE of the error, when the driver gives one."""
    code = getattr(exc.orig, "sqlstate", None)
    return code if isinstance(code, str) else None


def lost_race(exc: sa_exc.DBAPIError, races: frozenset[str] = RACES) -> bool:
    """The transaction lost a race with another one (PostgreSQL): nothing was stored, try again."""
    return sqlstate(exc) in races


def bad_value(exc: sa_exc.DBAPIError) -> bool:
    """A value the database cannot take: an integer out of the column's range, text it cannot encode."""
    if isinstance(exc, sa_exc.DataError):
        return True
    code = sqlstate(exc)
    if code is not None:
        return code.startswith("22")  # class 22: data exception
    cause = exc.orig.__cause__ if exc.orig is not None else None
    return isinstance(cause, (ValueError, OverflowError)) and not isinstance(cause, UnicodeDecodeError)
