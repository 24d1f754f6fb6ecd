"""Job queue for "process this message": ``memory://`` (in process) or ``redis://``.

The queue only says *which* message to look at (and, when the sender knows it, its conversation: the
worker then needs no lookup before draining it); the database says what is left to do
(``bot_state == "queued"``), so a lost job is recovered by re-enqueueing at start.
Jobs run as plain async functions, at most ``concurrency`` at a time.

With ``redis://`` several workers share the queue, and a job a worker took is not gone until it
finished: the reliable-queue pattern of the Redis docs (``BLMOVE`` into the worker's own
``<key>:processing:<worker>`` list, ``LREM`` when done). Each worker keeps ``<key>:alive:<worker>``
alive while it runs; when a worker dies (``kill -9``), any other worker moves its unfinished jobs back
to the queue once that key expired (``ALIVE_MS``, longer than the conversation's drain lease in
hub/serial.py, so the job's conversation is free again when it is retried). A worker that stops
cleanly puts its unfinished jobs back at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["RETRY_DELAYS", "Handler", "Job", "JobQueue", "MemoryJobQueue", "RedisJobQueue"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """Look at this message (of this conversation, when known)."""

    message_id: int
    conversation_id: int | None = None

    def encode(self) -> str:
        """``"<message>"`` or ``"<message>:<conversation>"``: what a Redis queue holds."""
        if self.conversation_id is None:
            return str(self.message_id)
        return f"{self.message_id}:{self.conversation_id}"

    @staticmethod
    def decode(raw: bytes | str) -> Job:
        text = raw.decode() if isinstance(raw, bytes) else raw
        message, _, conversation = text.partition(":")
        return Job(int(message), int(conversation) if conversation else None)


Handler = Callable[[Job], Awaitable[None]]

#: Seconds before a failed job runs again, one per retry.
RETRY_DELAYS = (1.0, 3.0, 10.0)


class JobQueue(ABC):
    """A FIFO of message ids consumed by :meth:`run`."""

    @staticmethod
    def from_url(url: str) -> JobQueue:
        if url.startswith("memory://"):
            return MemoryJobQueue()
        if url.startswith(("redis://", "rediss://")):
            return RedisJobQueue(url)
        raise ValueError(f"JOBS_URL must start with memory:// or redis://, got {url!r}")

    async def enqueue(self, message_id: int, *, conversation_id: int | None = None) -> None:
        await self.put(Job(message_id, conversation_id))

    @abstractmethod
    async def put(self, job: Job) -> None: ...

    @abstractmethod
    async def _next(self) -> Job: ...

    async def _done(self, job: Job) -> None:
        """The handler finished with this job (answered or failed): it is not retried."""
        return None

    async def _background(self) -> None:
        """What the queue itself keeps doing while jobs run (Redis: heartbeat, reclaim)."""
        return None

    async def close(self) -> None:
        return None

    async def run(self, handler: Handler, *, concurrency: int) -> None:
        """Consume jobs forever, running ``handler(job)`` with bounded concurrency.

        A job that fails (e.g. the database restarting under it) is done, and enqueued again after
        ``RETRY_DELAYS`` (at most that many times): the message is still queued in the database, and
        without a job nothing would look at it again before its deadline hands it to a person.
        """
        slots = asyncio.Semaphore(concurrency)
        tasks: set[asyncio.Task[None]] = set()
        failures: dict[int, int] = {}

        async def _again(job: Job, delay: float) -> None:
            await asyncio.sleep(delay)
            try:
                await self.put(job)
            except Exception:
                log.exception("could not enqueue a failed job again", extra={"message_id": job.message_id})

        def _retry(job: Job) -> None:
            message_id = job.message_id
            attempt = failures.get(message_id, 0)
            if attempt >= len(RETRY_DELAYS):
                failures.pop(message_id, None)
                log.error("job failed again: not retried", extra={"message_id": message_id})
                return
            failures[message_id] = attempt + 1
            task = asyncio.create_task(_again(job, RETRY_DELAYS[attempt]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        async def _one(job: Job) -> None:
            try:
                try:
                    await handler(job)
                except asyncio.CancelledError:
                    raise  # stopped, not done: the job stays the worker's until it is put back
                except Exception:
                    log.exception("job failed", extra={"message_id": job.message_id})
                    _retry(job)
                else:
                    failures.pop(job.message_id, None)
                try:
                    await self._done(job)
                except Exception:  # e.g. Redis restarting: the job stays ours, put back when we stop
                    log.exception("could not mark a job done", extra={"message_id": job.message_id})
            finally:
                slots.release()

        background = asyncio.create_task(self._background(), name="job-queue-upkeep")
        tasks.add(background)
        try:
            while True:
                await slots.acquire()
                try:
                    job = await self._next()
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
                task = asyncio.create_task(_one(job))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class MemoryJobQueue(JobQueue):
    def __init__(self) -> None:
        self._queue: asyncio.Queue[Job] = asyncio.Queue()

    async def put(self, job: Job) -> None:
        self._queue.put_nowait(job)

    async def _next(self) -> Job:
        return await self._queue.get()


class RedisJobQueue(JobQueue):
    key = "hub:jobs:process_message"
    #: A worker silent this long is dead: its jobs go back to the queue (> the drain lease, 30 s).
    alive_ms = 40_000
    #: How often a worker says it is alive and looks for dead workers' jobs.
    beat_s = 5.0

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url)
        self.worker = uuid.uuid4().hex
        self._taking = False

    def _processing(self, worker: str) -> str:
        return f"{self.key}:processing:{worker}"

    def _alive(self, worker: str) -> str:
        return f"{self.key}:alive:{worker}"

    async def put(self, job: Job) -> None:
        await self._redis.lpush(self.key, job.encode())

    async def _done(self, job: Job) -> None:
        await self._redis.lrem(self._processing(self.worker), 1, job.encode())

    async def _beat(self) -> None:
        await self._redis.set(self._alive(self.worker), "1", px=self.alive_ms)

    async def _background(self) -> None:
        task = asyncio.current_task()
        while True:
            try:
                await self._beat()
                await self.reclaim()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError() from exc  # redis-py turned our cancellation into an error
                log.warning("job queue upkeep failed (Redis unavailable?); retrying", exc_info=True)
            if task is not None and task.cancelling():
                raise asyncio.CancelledError()  # a client library swallowed our cancellation
            await asyncio.sleep(self.beat_s)

    async def _put_back(self, worker: str) -> int:
        """Move a worker's unfinished jobs back to the queue, to be taken first; returns how many."""
        moved = 0
        while await self._redis.lmove(self._processing(worker), self.key, "LEFT", "RIGHT") is not None:
            moved += 1
        return moved

    async def reclaim(self) -> int:
        """Put back the unfinished jobs of every worker whose alive key expired."""
        moved = 0
        async for name in self._redis.scan_iter(match=self._processing("*"), count=100):
            worker = (name.decode() if isinstance(name, bytes) else name).rsplit(":", 1)[-1]
            if worker == self.worker or await self._redis.exists(self._alive(worker)):
                continue
            count = await self._put_back(worker)
            if count:
                log.warning("took back the jobs of a worker that stopped answering", extra={"jobs": count})
            moved += count
        return moved

    async def _next(self) -> Job:
        from redis.exceptions import TimeoutError as RedisTimeout

        while True:
            try:
                if not self._taking:
                    await self._beat()  # alive before the first job is ours
                    self._taking = True
                item = await self._redis.blmove(self.key, self._processing(self.worker), 5, "RIGHT", "LEFT")
            except (TimeoutError, RedisTimeout) as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError() from exc  # our own cancellation, disguised
                # redis-py's socket timeout can end an empty 5 s poll first: still just an idle
                # queue, not "Redis unavailable" (a down Redis raises ConnectionError instead).
                continue
            if item is not None:
                return Job.decode(item)

    async def close(self) -> None:
        """Stopping cleanly: this worker's unfinished jobs go back to the queue for the others."""
        with contextlib.suppress(Exception):
            if await self._put_back(self.worker):
                log.info("put unfinished jobs back in the queue")
            await self._redis.delete(self._alive(self.worker))
        await self._redis.aclose()
