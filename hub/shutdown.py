"""Stopping background tasks without hanging: cancel, wait a bounded time, name what is left."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterable

__all__ = ["STOP_TIMEOUT_S", "cancel_and_wait"]

log = logging.getLogger(__name__)

#: Seconds a stopping hub waits for its cancelled tasks; the work they did is committed or still queued.
STOP_TIMEOUT_S = 5.0


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[None] | None], *, timeout: float = STOP_TIMEOUT_S
) -> None:
    """Cancel the tasks and wait for them at most ``timeout`` s. A task still running then is logged
    with where it waits and left behind: a stop (a deploy, a test's teardown) never hangs on one."""
    running = {task for task in tasks if task is not None}
    for task in running:
        task.cancel()
    if not running:
        return
    done, pending = await asyncio.wait(running, timeout=timeout)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            error = repr(task.exception())
            log.warning("task failed while stopping", extra={"task": task.get_name(), "error": error})
    for task in pending:
        where = io.StringIO()
        task.print_stack(file=where)
        extra = {"task": task.get_name(), "timeout_s": timeout, "where": where.getvalue()}
        log.error("task did not stop", extra=extra)
