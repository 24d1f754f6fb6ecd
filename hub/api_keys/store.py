"""Create, list, revoke and check API keys (the table: hub.models.ApiKey).

Keys carry 256 random bits, so one round of SHA-256 is enough to store them: nobody can guess or
brute-force such a key from its hash (slow password hashes exist for low-entropy secrets), and the
lookup stays one indexed equality per request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.api_keys.errors import ApiKeyInvalid, ApiKeyScopeMissing
from hub.models import ApiKey, utcnow

__all__ = [
    "CONVERSATIONS_READ",
    "MESSAGES_WRITE",
    "PREFIX",
    "SCOPES",
    "authenticate",
    "create",
    "find",
    "hash_key",
    "is_stale",
    "list_keys",
    "revoke",
    "touch",
]

PREFIX = "mk_"
MESSAGES_WRITE = "messages:write"
CONVERSATIONS_READ = "conversations:read"
#: Every scope and what it allows.
SCOPES: dict[str, str] = {
    MESSAGES_WRITE: "post customers' messages: POST /api/v1/messages (api channel)",
    CONVERSATIONS_READ: "read the api customers' conversations the key posted for",
}
DEFAULT_SCOPES = (MESSAGES_WRITE, CONVERSATIONS_READ)
# last_used_at is a hint, not an audit log: written at most this often per key.
_TOUCH_EVERY = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        raise ValueError(f"unknown or no scopes {unknown}; choose from {', '.join(SCOPES)}")
    return chosen


async def create(
    session: AsyncSession, *, name: str, scopes: Iterable[str] = DEFAULT_SCOPES
) -> tuple[ApiKey, str]:
    """A new key and its secret (returned once: only the hash is stored)."""
    if not name.strip() or len(name) > 100:
        raise ValueError("give the key a name of 1 to 100 characters (who or what uses it)")
    key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name.strip(),
        key_hash=hash_key(key),
        prefix=key[:10],
        scopes=" ".join(_check_scopes(scopes)),
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return row, key


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.execute(sa.select(ApiKey).order_by(ApiKey.id))).scalars())


async def revoke(session: AsyncSession, *, key_id: int) -> ApiKey | None:
    """Revoke the key (a no-op when it already was); None if there is no such key."""
    row = await session.get(ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return row


_keys = cast(sa.Table, ApiKey.__table__)
# Every API request reads its key (a revocation counts at once): a Core statement, not an ORM load.
_LIVE = sa.select(_keys).where(_keys.c.key_hash == sa.bindparam("key_hash"), _keys.c.revoked_at.is_(None))


async def find(session: AsyncSession, key: str) -> ApiKey | None:
    """The live (not revoked) key, or None. The row returned is detached: :func:`touch` writes it."""
    connection = await session.connection()
    row = (await connection.execute(_LIVE, {"key_hash": hash_key(key)})).first()
    return None if row is None else ApiKey(**row._asdict())


async def authenticate(session: AsyncSession, key: str, *, scope: str) -> ApiKey:
    """The key's row if it is live and has ``scope`` (reads only: see :func:`touch`).

    Raises ApiKeyInvalid (unknown or revoked) or ApiKeyScopeMissing.
    """
    row = await find(session, key)
    if row is None:
        raise ApiKeyInvalid()
    if scope not in row.scopes.split():
        raise ApiKeyScopeMissing(scope)
    return row


def is_stale(row: ApiKey) -> bool:
    """Whether ``last_used_at`` is worth writing again (at most once a minute per key)."""
    return row.last_used_at is None or utcnow() - row.last_used_at > _TOUCH_EVERY


async def touch(session: AsyncSession, *, key_id: int) -> None:
    """Record that the key was used now."""
    await session.execute(sa.update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))
