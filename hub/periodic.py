"""The background sweeps' loop: run some work every N seconds until cancelled; a failure is logged, never
raised, and the work runs again at the next interval."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["MIN_TIMEOUT", "TIMEOUT_INTERVALS", "every"]

log = logging.getLogger(__name__)


#: A run taking longer than this many intervals (at least :data:`MIN_TIMEOUT` s) is abandoned.
TIMEOUT_INTERVALS = 30
MIN_TIMEOUT = 60.0


async def every(
    seconds: float, work: Callable[[], Awaitable[object]], *, what: str, wait_first: bool = False
) -> None:
    """``await work()`` every ``seconds`` (first after one interval when ``wait_first``) until cancelled.

    A run that hangs (a database connection that never answers) is cancelled after
    ``max(TIMEOUT_INTERVALS * seconds, MIN_TIMEOUT)`` and logged: one stuck run must not stop every later one.
    """
    limit = max(TIMEOUT_INTERVALS * seconds, MIN_TIMEOUT)
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        try:
            async with asyncio.timeout(limit):
                await work()
        except TimeoutError:
            log.error("%s took more than %.0f s: abandoned; running again at the next interval", what, limit)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying at the next interval", what)
        await asyncio.sleep(seconds)
