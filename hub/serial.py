"""Per-conversation serialisation: one drain of a conversation at a time, in order.

A job for a conversation that is already being drained does not wait (and hold a worker
slot); it marks the conversation dirty and returns, and the running drain goes round again.
This is per process: with JOBS_URL=redis:// run a single hub process per database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

__all__ = ["Serializer"]


class Serializer:
    def __init__(self) -> None:
        self._active: set[int] = set()
        self._dirty: set[int] = set()

    def busy(self, key: int) -> bool:
        return key in self._active

    async def run(self, key: int, drain: Callable[[], Awaitable[None]]) -> None:
        """Run ``drain`` for ``key`` unless it runs already; repeat while new work arrived."""
        if key in self._active:
            self._dirty.add(key)
            return
        self._active.add(key)
        try:
            while True:
                self._dirty.discard(key)
                await drain()
                if key not in self._dirty:
                    break
        finally:
            self._active.discard(key)
            self._dirty.discard(key)
