"""A contact change in its own transaction, again when a concurrent one won a race.

Two contacts given the same proven detail at once: the unique index refuses the second
(IntegrityError). A merge meets a busy row (``FOR UPDATE NOWAIT``, a message being answered): a lock
error at once (:mod:`hub.db_errors`), never a wait holding locks. Either way the work is retried with a
short random backoff; events it emitted are published once its transaction committed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from hub import db_errors
from hub.bus import Database

__all__ = ["retrying"]

log = logging.getLogger(__name__)

_RETRIES = 10  # a busy row (a message being answered): ~2.5 s of random backoff in all
T = TypeVar("T")


async def retrying(db: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """``work`` in its own transaction, again when a concurrent one won a unique index or a busy row."""
    uow = db.unit_of_work()
    for attempt in range(_RETRIES):
        try:
            async with uow.transaction() as session:
                result = await work(session)
        except DBAPIError as exc:
            raced = isinstance(exc, (IntegrityError, OperationalError)) or db_errors.lost_race(exc)
            if not raced or attempt == _RETRIES - 1:
                raise
            log.info("contact update raced, retrying", extra={"attempt": attempt + 1, "error": str(exc)})
            await asyncio.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))
            continue
        await uow.flush()
        return result
    raise AssertionError("unreachable")
