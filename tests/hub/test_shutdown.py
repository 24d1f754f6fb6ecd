"""A stopping hub cancels its background tasks and never hangs on one that will not stop."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from hub.shutdown import cancel_and_wait


async def _stubborn(started: asyncio.Event) -> None:
    started.set()
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            continue  # the kind of bug that used to hang a stop forever


async def test_a_task_that_ignores_cancellation_is_named_and_left_behind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = asyncio.Event()
    stubborn = asyncio.create_task(_stubborn(started), name="stubborn")
    polite = asyncio.create_task(asyncio.sleep(3600), name="polite")
    await started.wait()
    begun = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="hub.shutdown"):
        await cancel_and_wait([stubborn, polite, None], timeout=0.2)
    assert time.monotonic() - begun < 5  # returned, instead of waiting forever
    assert polite.cancelled()
    assert not stubborn.done()
    [record] = [r for r in caplog.records if r.getMessage() == "task did not stop"]
    assert record.task == "stubborn" and "_stubborn" in record.where  # type: ignore[attr-defined]
    stubborn.get_coro().close()  # type: ignore[union-attr]
