"""``python -m hub``: run the hub with uvicorn on HUB_HOST:HUB_PORT."""

from __future__ import annotations

import gc

import uvicorn

from hub.app import create_app
from hub.logs import configure_logging
from hub.settings import Settings

__all__ = ["main"]


GC_THRESHOLDS = (20_000, 20, 100)  # Python's defaults: (700, 10, 10)


def _quiet_collector() -> None:
    """What is loaded by now (modules, the app, mappers) lives as long as the process: frozen out of
    the collector's sight, a full collection no longer walks it. Young collections are rarer and
    full ones much rarer: each full one stalled every receipt in flight by 30-100 ms. Process-wide,
    so here and not in create_app (tests build many apps in one process)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    _quiet_collector()
    uvicorn.run(
        app,
        host=settings.hub_host,
        port=settings.hub_port,
        log_config=None,
        ws="websockets-sansio",
    )


if __name__ == "__main__":
    main()
