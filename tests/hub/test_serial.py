"""Per-conversation serialisation: a busy conversation's new work is picked up, not dropped."""

from __future__ import annotations

import asyncio

from hub.serial import Serializer, SharedSerializer


async def test_work_arriving_during_a_drain_triggers_another_drain_and_never_overlaps() -> None:
    serializer = Serializer()
    gate = asyncio.Event()
    drains: list[int] = []
    running: set[int] = set()
    overlapping = False

    def drain_of(key: int):  # type: ignore[no-untyped-def]
        async def drain() -> None:
            nonlocal overlapping
            overlapping = overlapping or key in running
            running.add(key)
            drains.append(key)
            if drains.count(1) == 1 and key == 1:
                await gate.wait()
            running.discard(key)

        return drain

    first = asyncio.create_task(serializer.run(1, drain_of(1)))
    await asyncio.sleep(0)
    assert serializer.busy(1)
    await serializer.run(1, drain_of(1))  # returns at once: the running drain goes round again
    await serializer.run(2, drain_of(2))  # another conversation runs while 1 is busy
    assert drains == [1, 2]
    gate.set()
    await first
    assert drains == [1, 2, 1]
    assert not overlapping
    assert not serializer.busy(1)


async def test_a_lease_whose_release_fails_once_is_released_on_a_fresh_connection() -> None:
    """A pooled connection from before a Redis restart fails the release: left behind, the lease would
    block the conversation for 30 s while its new messages only leave marks nobody reads."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    calls: list[tuple[object, ...]] = []

    class FlakyRedis:
        async def eval(self, *args: object) -> int:
            calls.append(args)
            if len(calls) == 1:
                raise RedisConnectionError("Connection closed by server.")
            return 1

    serializer = SharedSerializer("redis://127.0.0.1:6379/15")
    serializer._redis = FlakyRedis()
    await serializer._release(7, "token")
    assert len(calls) == 2 and calls[1][2:] == ("hub:drain:7", "token")


async def test_two_processes_never_drain_a_conversation_at_once_and_none_of_its_work_is_dropped() -> None:
    """Jobs of one conversation reach two worker processes while one drains it: the other leaves a mark
    and returns; the drain goes round again for it; afterwards the conversation is free for anyone."""
    from redis.asyncio import Redis

    url = "redis://127.0.0.1:6379/15"
    key = 424242
    redis = Redis.from_url(url)
    await redis.delete(f"hub:drain:{key}", f"hub:drain-again:{key}")
    first, second = SharedSerializer(url), SharedSerializer(url)
    started, gate = asyncio.Event(), asyncio.Event()
    rounds: list[str] = []
    running = 0
    overlapped = False

    def drain_of(who: str):  # type: ignore[no-untyped-def]
        async def drain() -> None:
            nonlocal running, overlapped
            overlapped = overlapped or running > 0
            running += 1
            rounds.append(who)
            if len(rounds) == 1:
                started.set()
                await gate.wait()
            running -= 1

        return drain

    try:
        draining = asyncio.create_task(first.run(key, drain_of("first")))
        await started.wait()
        await second.run(key, drain_of("second"))  # returns at once: marked for the running drain
        await second.run(key, drain_of("second"))  # twice: still one more round, not a lost job
        assert rounds == ["first"]
        gate.set()
        await draining
        assert rounds == ["first", "first"] and not overlapped
        assert not await redis.exists(f"hub:drain:{key}", f"hub:drain-again:{key}")
        await second.run(key, drain_of("second"))  # free again: the other process drains it itself
        assert rounds == ["first", "first", "second"]
    finally:
        await redis.delete(f"hub:drain:{key}", f"hub:drain-again:{key}")
        await redis.aclose()
        await first.close()
        await second.close()
