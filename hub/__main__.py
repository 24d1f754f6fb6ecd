"""``python -m hub``: run the hub with uvicorn on HUB_HOST:HUB_PORT."""

from __future__ import annotations

import uvicorn

from hub.app import create_app
from hub.logs import configure_logging
from hub.settings import Settings

__all__ = ["main"]


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.hub_host,
        port=settings.hub_port,
        log_config=None,
        ws="websockets-sansio",
    )


if __name__ == "__main__":
    main()
