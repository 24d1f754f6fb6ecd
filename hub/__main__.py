"""``python -m hub``: run the product (the hub with handoff plugged in, built by the composition root
mostrador/wiring.py) with uvicorn on HUB_HOST:HUB_PORT, in HUB_WEB_PROCESSES processes.

An entry point, not part of the core: no hub module imports it, and it is the one hub module allowed to
import the composition root (the import-linter contract in pyproject.toml names it).
"""

from __future__ import annotations

import asyncio
import gc

import uvicorn
from fastapi import FastAPI

from hub.db import create_engine, migrate
from hub.logs import configure_logging
from hub.settings import Settings
from mostrador.wiring import create_app

__all__ = ["main", "web_process_app"]


GC_THRESHOLDS = (20_000, 20, 100)  # Python's defaults: (700, 10, 10)


def _quiet_collector() -> None:
    """What is loaded by now (modules, the app, mappers) lives as long as the process: frozen out of
    the collector's sight, a full collection no longer walks it. Young collections are rarer and
    full ones much rarer: each full one stalled every receipt in flight by 30-100 ms. Process-wide,
    so here and not in create_app (tests build many apps in one process)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def web_process_app() -> FastAPI:
    """The app of one of several web processes (uvicorn imports this in each)."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    _quiet_collector()
    return app


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    host, port = settings.hub_host, settings.hub_port
    if settings.hub_web_processes > 1:
        # Once, before the processes start: each one's startup then finds the schema current.
        asyncio.run(_migrate(settings))
        uvicorn.run(
            "hub.__main__:web_process_app",
            factory=True,
            workers=settings.hub_web_processes,
            host=host,
            port=port,
            log_config=None,
            ws="websockets-sansio",
        )
        return
    app = create_app(settings)
    _quiet_collector()
    uvicorn.run(app, host=host, port=port, log_config=None, ws="websockets-sansio")


if __name__ == "__main__":
    main()
