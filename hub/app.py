"""The FastAPI application: lifespan (migrate, start the worker unless HUB_RUN_WORKER=false) and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from hub.api.errors import install_error_handlers
from hub.api.openapi_errors import document_errors
from hub.api.routes import api_router, health_router
from hub.api.routes.widget_assets import router as widget_router
from hub.body_limit import BodyLimit
from hub.channels.widget_socket import WidgetSocket
from hub.db import migrate
from hub.security_headers import SecurityHeaders
from hub.services import Services
from hub.settings import Settings
from hub.worker import Worker

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    wire: Callable[[Services], None] | None = None,
) -> FastAPI:
    """Build the hub. ``rasa_transport`` replaces HTTP to Rasa (tests use httpx.MockTransport);
    ``wire`` plugs other packages into the built services (the composition root: mostrador/wiring.py)."""
    settings = settings or Settings()
    widget_socket = WidgetSocket(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.build(settings, rasa_transport=rasa_transport)
        if wire is not None:
            wire(services)
        await migrate(services.engine)
        app.state.services = services  # read by the route dependencies only (hub/api/deps.py)
        widget_socket.start(
            receiver=services.receiver, db=services.db, broadcast=services.broadcast
        )

        worker = Worker.of(services)
        if settings.hub_run_worker:  # else python -m hub.worker processes (hub/worker.py)
            await worker.start()
        log.info(
            "hub started",
            extra={"rasa_url": settings.rasa_url, "jobs": settings.jobs_url, "worker": worker.running},
        )
        try:
            yield
        finally:
            await widget_socket.close()
            await worker.stop()
            await services.close()
            log.info("hub stopped")

    app = FastAPI(
        title="Mostrador hub",
        version="1",
        description="Contacts, conversations and messages; routes customers to the bot or humans.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    document_errors(app)
    app.add_middleware(BodyLimit)  # a 413 before anything reads the body (hub/body_limit.py)
    app.add_middleware(SecurityHeaders)
    app.include_router(api_router)
    app.include_router(health_router)
    app.include_router(widget_router)
    app.mount("/socket.io", widget_socket.asgi_app)  # Rasa's socket.io path, so Rasa widgets connect too
    return app
