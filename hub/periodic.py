"""The background sweeps' loop: run some work every N seconds until cancelled; a failure is logged, never
raised, and the work runs again at the next interval."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["every"]

log = logging.getLogger(__name__)


async def every(
    seconds: float, work: Callable[[], Awaitable[object]], *, what: str, wait_first: bool = False
) -> None:
    """``await work()`` every ``seconds`` (first after one interval when ``wait_first``) until cancelled."""
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying at the next interval", what)
        await asyncio.sleep(seconds)
