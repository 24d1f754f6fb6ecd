"""``python -m hub.worker``: a worker process of the product (the hub with handoff plugged in by the
composition root, mostrador/wiring.py) until SIGTERM/SIGINT. See hub/worker/__init__.py.

An entry point, not part of the core: no hub module imports it (the import-linter contract names it).
"""

from __future__ import annotations

import asyncio
import signal

from hub.logs import configure_logging
from hub.settings import Settings
from hub.worker import serve
from mostrador.wiring import wire

__all__ = ["main"]


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop=stop, wire=wire)

    try:
        import uvloop
    except ImportError:
        asyncio.run(run())
        return
    uvloop.run(run())


if __name__ == "__main__":
    main()
