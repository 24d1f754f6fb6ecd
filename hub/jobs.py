"""Job queue for "process this message": ``memory://`` (in process) or ``redis://``.

The queue only says *which* message to look at; the database says what is left to do
(``bot_state == "queued"``), so a lost job is recovered by re-enqueueing at start.
Jobs run as plain async functions, at most ``concurrency`` at a time.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

__all__ = ["Handler", "JobQueue", "MemoryJobQueue", "RedisJobQueue"]

log = logging.getLogger(__name__)

Handler = Callable[[int], Awaitable[None]]


class JobQueue(ABC):
    """A FIFO of message ids consumed by :meth:`run`."""

    @staticmethod
    def from_url(url: str) -> JobQueue:
        if url.startswith("memory://"):
            return MemoryJobQueue()
        if url.startswith(("redis://", "rediss://")):
            return RedisJobQueue(url)
        raise ValueError(f"JOBS_URL must start with memory:// or redis://, got {url!r}")

    @abstractmethod
    async def enqueue(self, message_id: int) -> None: ...

    @abstractmethod
    async def _next(self) -> int: ...

    async def close(self) -> None:
        return None

    async def run(self, handler: Handler, *, concurrency: int) -> None:
        """Consume jobs forever, running ``handler(message_id)`` with bounded concurrency."""
        slots = asyncio.Semaphore(concurrency)
        tasks: set[asyncio.Task[None]] = set()

        async def _one(message_id: int) -> None:
            try:
                await handler(message_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job failed", extra={"message_id": message_id})
            finally:
                slots.release()

        try:
            while True:
                await slots.acquire()
                try:
                    message_id = await self._next()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    task = asyncio.current_task()
                    if task is not None and task.cancelling():
                        # A client library turned our cancellation into an error.
                        raise asyncio.CancelledError() from exc
                    # E.g. Redis restarting: the messages are safe in the database; wait and go on.
                    slots.release()
                    log.exception("job queue unavailable, retrying in 1s")
                    await asyncio.sleep(1.0)
                    continue
                task = asyncio.create_task(_one(message_id))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class MemoryJobQueue(JobQueue):
    def __init__(self) -> None:
        self._queue: asyncio.Queue[int] = asyncio.Queue()

    async def enqueue(self, message_id: int) -> None:
        self._queue.put_nowait(message_id)

    async def _next(self) -> int:
        return await self._queue.get()


class RedisJobQueue(JobQueue):
    key = "hub:jobs:process_message"

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def enqueue(self, message_id: int) -> None:
        await self._redis.lpush(self.key, str(message_id))

    async def _next(self) -> int:
        from redis.exceptions import TimeoutError as RedisTimeout

        while True:
            try:
                item = await self._redis.brpop([self.key], timeout=5)
            except (TimeoutError, RedisTimeout) as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError() from exc  # our own cancellation, disguised
                # redis-py's socket timeout can end an empty 5 s poll first: still just an idle
                # queue, not "Redis unavailable" (a down Redis raises ConnectionError instead).
                continue
            if item is not None:
                return int(item[1])

    async def close(self) -> None:
        await self._redis.aclose()
