"""The one place that knows both the hub and the handoff desk, and wires them together.

The hub (hub/) is the conversation core and imports nothing of handoff/: it offers seams
(hub/seams.py) and an after-commit event bus (hub/bus.py); handoff/plugin.py fills the seams and
subscribes its listeners. ``make lint`` (import-linter, pyproject.toml) keeps it that way.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from handoff import plugin as handoff_plugin
from hub import app as hub_app
from hub.services import Services
from hub.settings import Settings

__all__ = ["build_services", "create_app", "wire"]


def wire(services: Services) -> None:
    handoff_plugin.install(services)


def build_services(settings: Settings, *, rasa_transport: httpx.AsyncBaseTransport | None = None) -> Services:
    """Services with everything plugged in (scripts and tests that skip the web app)."""
    services = Services.build(settings, rasa_transport=rasa_transport)
    wire(services)
    return services


def create_app(
    settings: Settings | None = None, *, rasa_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The product's web app: the hub's, with the desk's policy, listeners, sweep and routes."""
    app = hub_app.create_app(settings, rasa_transport=rasa_transport, wire=wire)
    handoff_plugin.mount(app)
    return app
