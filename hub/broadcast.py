"""Pub/sub for delivering frames to websockets: ``memory://`` (one process) or ``redis://``.

Usage::

    broadcast = Broadcast.from_url("memory://")
    async with broadcast.subscribe("conversation:12") as frames:
        async for frame in frames: ...
    await broadcast.publish("conversation:12", {"type": "typing", "on": True})
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["Broadcast", "MemoryBroadcast", "RedisBroadcast"]

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
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def publish(self, topic: str, frame: Frame) -> None:
        await self._redis.publish(topic, json.dumps(frame, default=str))

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[AsyncIterator[Frame]]:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(topic)

        async def frames() -> AsyncIterator[Frame]:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    yield json.loads(item["data"])

        try:
            yield frames()
        finally:
            await pubsub.unsubscribe(topic)
            await pubsub.aclose()

    async def close(self) -> None:
        await self._redis.aclose()
