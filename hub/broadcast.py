"""Pub/sub for delivering frames to websockets: ``memory://`` (one process) or ``redis://``.

Usage::

    broadcast = Broadcast.from_url("memory://")
    async with broadcast.subscribe("conversation:12") as frames:
        async for frame in frames: ...
    await broadcast.publish("conversation:12", {"type": "typing", "on": True})
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["Broadcast", "MemoryBroadcast", "RedisBroadcast"]

log = logging.getLogger(__name__)

Frame = dict[str, Any]


class Broadcast(ABC):
    """Publish JSON frames to topics; subscribers receive frames published after they joined."""

    @staticmethod
    def from_url(url: str) -> Broadcast:
        if url.startswith("memory://"):
            return MemoryBroadcast()
        if url.startswith(("redis://", "rediss://")):
            return RedisBroadcast(url)
        raise ValueError(f"BROADCAST_URL must start with memory:// or redis://, got {url!r}")

    @abstractmethod
    async def publish(self, topic: str, frame: Frame) -> None: ...

    @abstractmethod
    def subscribe(self, topic: str) -> Any:
        """An async context manager yielding an async iterator of frames."""

    async def close(self) -> None:
        return None


class MemoryBroadcast(Broadcast):
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Frame]]] = {}

    async def publish(self, topic: str, frame: Frame) -> None:
        for queue in list(self._subscribers.get(topic, ())):
            queue.put_nowait(frame)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Frame]]:
        queue: asyncio.Queue[Frame] = asyncio.Queue()
        self._subscribers.setdefault(topic, set()).add(queue)

        async def frames() -> AsyncIterator[Frame]:
            while True:
                yield await queue.get()

        try:
            yield frames()
        finally:
            subscribers = self._subscribers.get(topic, set())
            subscribers.discard(queue)
            if not subscribers:
                self._subscribers.pop(topic, None)


class RedisBroadcast(Broadcast):
    """One Redis pub/sub connection per process, whatever the number of local subscribers.

    The topics this process follows are subscribed on that connection; one reader task hands each
    frame to the local subscribers of its topic (a socket.io hub with thousands of widget sockets
    would otherwise open a Redis connection per socket).
    """

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._queues: dict[str, set[asyncio.Queue[Frame]]] = {}  # topic -> local subscribers
        self._changes = asyncio.Lock()

    async def publish(self, topic: str, frame: Frame) -> None:
        await self._redis.publish(topic, json.dumps(frame, default=str))

    async def _read(self) -> None:
        while True:
            try:
                item = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis pub/sub read failed, retrying in 1s")
                await asyncio.sleep(1.0)
                continue
            if item is None or item.get("type") != "message":
                continue
            topic = item["channel"].decode() if isinstance(item["channel"], bytes) else str(item["channel"])
            try:
                frame = json.loads(item["data"])
            except ValueError:
                log.warning("a non-JSON frame on a broadcast topic was dropped", extra={"topic": topic})
                continue
            for queue in list(self._queues.get(topic, ())):
                queue.put_nowait(frame)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Frame]]:
        queue: asyncio.Queue[Frame] = asyncio.Queue()
        async with self._changes:
            if self._pubsub is None:
                self._pubsub = self._redis.pubsub()
            if topic not in self._queues:
                await self._pubsub.subscribe(topic)
            self._queues.setdefault(topic, set()).add(queue)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read(), name="broadcast-reader")

        async def frames() -> AsyncIterator[Frame]:
            while True:
                yield await queue.get()

        try:
            yield frames()
        finally:
            async with self._changes:
                queues = self._queues.get(topic, set())
                queues.discard(queue)
                if not queues:
                    self._queues.pop(topic, None)
                    try:
                        await self._pubsub.unsubscribe(topic)
                    except Exception:
                        log.warning("could not unsubscribe a broadcast topic", extra={"topic": topic})

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._redis.aclose()
