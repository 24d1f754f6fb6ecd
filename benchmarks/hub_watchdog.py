"""``python -m benchmarks.hub_watchdog OUT.log``: the hub (``python -m hub``) with an event-loop watchdog.

A coroutine in the hub's loop stamps the time every 10 ms; a thread checks the stamp every 20 ms.
When the loop has not come round for LATE_S, the thread writes what the main thread is running
(its stack) to OUT.log, once per stall, and the stall's length when the loop is back. A stall
with no stack in its entry was the loop waiting (on PostgreSQL, Redis, the kernel), not Python
code holding it. Used by ``benchmarks.receipt_load --hub-watchdog`` to find where receipts stall.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TextIO

import uvicorn

__all__ = ["main"]

LATE_S = 0.15


class Watchdog:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.stamp = time.monotonic()
        self.main = threading.main_thread().ident

    async def tick(self) -> None:
        while True:
            self.stamp = time.monotonic()
            await asyncio.sleep(0.01)

    def watch(self) -> None:
        stalled_since: float | None = None
        while True:
            time.sleep(0.02)
            now, stamp = time.monotonic(), self.stamp
            if now - stamp > LATE_S and stalled_since != stamp:
                stalled_since = stamp
                frame = sys._current_frames().get(self.main or 0)
                stack = "".join(traceback.format_stack(frame, limit=25)) if frame else "(no frame)"
                self.out.write(f"{time.time():.3f} loop late {1000 * (now - stamp):.0f} ms, main thread in:\n"
                               f"{stack}\n")
                self.out.flush()
            elif stalled_since is not None and stamp != stalled_since:
                self.out.write(f"{time.time():.3f} loop back after {1000 * (stamp - stalled_since):.0f} ms\n")
                self.out.flush()
                stalled_since = None


def main() -> None:
    with Path(sys.argv[1]).open("a", buffering=1) as out:
        watchdog = Watchdog(out)
        original = uvicorn.Server.startup

        async def startup(self: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
            await original(self, sockets)
            watchdog.stamp = time.monotonic()  # watched from here: not the imports and app startup
            asyncio.get_running_loop().create_task(watchdog.tick())
            threading.Thread(target=watchdog.watch, daemon=True).start()

        uvicorn.Server.startup = startup  # type: ignore[method-assign]
        from hub.__main__ import main as hub_main

        hub_main()


if __name__ == "__main__":
    main()
