"""The one clock: every "now" of the hub and its plug-ins (stored timestamps, model defaults, business
hours, deadlines measured against stored times) is :func:`utcnow`.

Tests set it with :func:`use` (``tests/support/clock.py``: a clock they move by hand) and put the
system clock back with ``use(None)``. Elapsed time inside one process (retry delays, sweeps) is
``asyncio``'s monotonic loop time, not this.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "system", "use", "utcnow"]

Clock = Callable[[], datetime]


def system() -> datetime:
    return datetime.now(UTC)


_source: Clock = system


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return _source()


def use(source: Clock | None) -> Clock:
    """Read the time from ``source`` from now on (None: the system clock); returns the previous one."""
    global _source
    previous, _source = _source, source or system
    return previous
