"""Pub/sub for websockets: memory:// and redis:// deliver to subscribers of the topic only."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
from test_jobs import REDIS_URL, redis_reachable

from hub.broadcast import Broadcast


@pytest.fixture(params=["memory", "redis"])
async def broadcast(request: pytest.FixtureRequest) -> AsyncIterator[Broadcast]:
    if request.param == "redis":
        await redis_reachable()
        bus = Broadcast.from_url(REDIS_URL)
    else:
        bus = Broadcast.from_url("memory://")
    yield bus
    await bus.close()


async def test_subscribers_get_frames_of_their_topic_in_order(broadcast: Broadcast) -> None:
    topic, other = f"conversation:{uuid.uuid4().hex}", f"conversation:{uuid.uuid4().hex}"
    async with broadcast.subscribe(topic) as frames, broadcast.subscribe(other) as other_frames:
        await broadcast.publish(other, {"type": "typing", "on": True})
        await broadcast.publish(topic, {"type": "typing", "on": True})
        await broadcast.publish(topic, {"type": "message", "message": {"text": "hola"}})
        iterator = aiter(frames)
        first = await asyncio.wait_for(anext(iterator), timeout=10)
        second = await asyncio.wait_for(anext(iterator), timeout=10)
        assert (await asyncio.wait_for(anext(aiter(other_frames)), timeout=10))["type"] == "typing"
    assert first == {"type": "typing", "on": True}
    assert second == {"type": "message", "message": {"text": "hola"}}


async def test_many_sockets_following_their_sessions_each_get_their_frames(broadcast: Broadcast) -> None:
    """A hub with hundreds of widget sockets: each follows its own topic (redis://: one connection)."""
    topics = [f"customer:widget:{uuid.uuid4().hex}" for _ in range(300)]
    async with contextlib.AsyncExitStack() as stack:
        streams = [aiter(await stack.enter_async_context(broadcast.subscribe(t))) for t in topics]
        for index, topic in enumerate(topics):
            await broadcast.publish(topic, {"event": "bot_uttered", "data": {"n": index}})
        got = [await asyncio.wait_for(anext(stream), timeout=10) for stream in streams]
    assert [frame["data"]["n"] for frame in got] == list(range(300))


async def test_a_topic_left_by_one_subscriber_still_reaches_the_other(broadcast: Broadcast) -> None:
    topic = f"customer:widget:{uuid.uuid4().hex}"
    async with broadcast.subscribe(topic) as staying:
        async with broadcast.subscribe(topic):
            pass  # a second tab of the session closes
        await broadcast.publish(topic, {"type": "typing", "on": True})
        assert await asyncio.wait_for(anext(aiter(staying)), timeout=10) == {"type": "typing", "on": True}
