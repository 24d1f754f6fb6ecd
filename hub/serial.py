"""Per-conversation serialisation: one drain of a conversation at a time, in order.

A job for a conversation that is already being drained does not wait (and hold a worker
slot); it marks the conversation dirty and returns, and the running drain goes round again.
:class:`Serializer` does this within one process (``JOBS_URL=memory://``); with
``JOBS_URL=redis://`` several worker processes share the queue, and :class:`SharedSerializer`
also holds the conversation in Redis (a lease renewed while the drain runs, so a crashed worker
frees it) and leaves the dirty mark there for whichever process holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

__all__ = ["Serializer", "SharedSerializer"]

log = logging.getLogger(__name__)

Drain = Callable[[], Awaitable[None]]


class Serializer:
    """One process: a drain per key at a time."""

    def __init__(self) -> None:
        self._active: set[int] = set()
        self._dirty: set[int] = set()

    @staticmethod
    def for_jobs(jobs_url: str) -> Serializer:
        """In-process for ``memory://`` jobs, shared through the same Redis for ``redis://`` jobs."""
        if jobs_url.startswith(("redis://", "rediss://")):
            return SharedSerializer(jobs_url)
        return Serializer()

    def busy(self, key: int) -> bool:
        """A drain of ``key`` runs in this process."""
        return key in self._active

    async def run(self, key: int, drain: Drain) -> None:
        """Run ``drain`` for ``key`` unless it runs already; repeat while new work arrived."""
        if key in self._active:
            self._dirty.add(key)
            return
        self._active.add(key)
        try:
            await self._exclusive(key, drain)
        finally:
            self._active.discard(key)
            self._dirty.discard(key)

    async def _exclusive(self, key: int, drain: Drain) -> None:
        await self._rounds(key, drain)

    async def _rounds(self, key: int, drain: Drain) -> None:
        while True:
            self._dirty.discard(key)
            await drain()
            if key not in self._dirty:
                return

    async def close(self) -> None:
        return None


# Delete the lease only if it is still ours (it may have expired and been taken meanwhile).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Take the lease (KEYS[1]) and clear the mark (KEYS[2]) in one round trip: 1 when taken.
_TAKE = (
    "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
    "redis.call('del', KEYS[2]) return 1 end return 0"
)
# After a round: marked meanwhile -> clear the mark, keep the lease, 1 (go round again); else let go of
# the lease if still ours, 0. Atomic: a mark is either seen here or set after the lease is free (and then
# its setter takes the lease itself).
_FINISH = (
    "if redis.call('del', KEYS[2]) == 1 then return 1 end "
    "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end return 0"
)
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class SharedSerializer(Serializer):
    """Several processes: a conversation's drain holds ``hub:drain:<id>`` in Redis while it runs."""

    lease_ms = 30_000  # a crashed worker's conversations are free again after this
    renew_s = 5.0

    def __init__(self, url: str) -> None:
        super().__init__()
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url)

    @staticmethod
    def _lock(key: int) -> str:
        return f"hub:drain:{key}"

    @staticmethod
    def _mark(key: int) -> str:
        return f"hub:drain-again:{key}"

    async def _take(self, key: int, token: str) -> bool:
        return bool(await self._redis.eval(_TAKE, 2, self._lock(key), self._mark(key), token, self.lease_ms))

    @contextlib.asynccontextmanager
    async def _renewing(self, key: int, token: str) -> AsyncIterator[None]:
        async def renew() -> None:
            while True:
                await asyncio.sleep(self.renew_s)
                if not await self._redis.eval(_RENEW, 1, self._lock(key), token, self.lease_ms):
                    log.warning("lost the drain lease of a conversation", extra={"conversation_id": key})
                    return

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _exclusive(self, key: int, drain: Drain) -> None:
        """Two Redis round trips per drain when nothing else arrives: the take (clearing the mark) and the
        finish (the mark read and the lease let go at once)."""
        token = uuid.uuid4().hex
        if not await self._take(key, token):
            # Another process drains it: leave the mark, it goes round again. It may have let go
            # between our take and the mark without seeing it: then try once more.
            await self._redis.set(self._mark(key), "1", px=self.lease_ms * 10)
            if not await self._take(key, token):
                return
        released = False
        try:
            async with self._renewing(key, token):
                while True:
                    self._dirty.discard(key)
                    await drain()
                    if key in self._dirty:
                        continue  # work arrived in this process: round again, the mark untouched
                    if not await self._finish(key, token):
                        released = True
                        return
        finally:
            if not released:
                await self._release(key, token)

    async def _finish(self, key: int, token: str) -> bool:
        """True: marked meanwhile, go round again (the lease kept); False: the lease is let go."""
        return bool(await self._redis.eval(_FINISH, 2, self._lock(key), self._mark(key), token))

    async def _release(self, key: int, token: str) -> None:
        """Let go of the lease after a failed drain or finish; once more on a fresh connection if the first
        try fails (a pooled connection from before a Redis restart): a lease left behind blocks the
        conversation for ``lease_ms``, and the messages arriving meanwhile would only leave marks nobody
        reads (a mark left is picked up by the next job of the conversation, or the sweeps)."""
        from redis.exceptions import ConnectionError as RedisConnectionError

        try:
            await self._redis.eval(_RELEASE, 1, self._lock(key), token)
        except RedisConnectionError:
            log.warning("releasing a drain lease failed; trying again", extra={"conversation_id": key})
            await self._redis.eval(_RELEASE, 1, self._lock(key), token)

    async def close(self) -> None:
        await self._redis.aclose()
