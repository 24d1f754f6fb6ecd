"""The sweeps' loop (hub/periodic.py): a failing or hanging run never stops the later ones."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from hub import periodic


async def _second_run(first: Callable[[], Awaitable[None]]) -> int:
    """Run ``periodic.every`` with ``first`` as its first run; the number of runs once a second one ran."""
    calls = 0
    second = asyncio.Event()

    async def work() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            await first()
        second.set()

    loop = asyncio.create_task(periodic.every(0.01, work, what="test sweep"))
    try:
        await asyncio.wait_for(second.wait(), timeout=5)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
    return calls


async def test_a_run_that_hangs_is_abandoned_and_the_sweep_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "MIN_TIMEOUT", 0.2)

    async def hang() -> None:
        await asyncio.Event().wait()  # e.g. a database connection that never answers

    assert await _second_run(hang) >= 2


async def test_a_run_that_fails_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    async def fail() -> None:
        raise RuntimeError("boom")

    assert await _second_run(fail) >= 2
    assert "test sweep failed" in caplog.text
