"""The one place that knows both the hub and the handoff desk, and wires them together.

The hub (hub/) is the conversation core and imports nothing of handoff/: it offers seams
(hub/seams.py) and an after-commit event bus (hub/bus.py); handoff/plugin.py fills the seams and
subscribes its listeners. The reports (kpis/: KPIs, the reports page, /metrics) only add routes
(kpis/plugin.py). ``make lint`` (import-linter, pyproject.toml) keeps it that way.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from handoff import plugin as handoff_plugin
from handoff.settings import HandoffSettings
from hub import app as hub_app
from hub.services import Services
from hub.settings import Settings
from kpis import plugin as kpis_plugin

__all__ = ["build_services", "create_app", "wire"]


def wire(services: Services, handoff_settings: HandoffSettings | None = None) -> None:
    """Plug the desk into built hub resources; its settings from the environment unless given."""
    handoff_plugin.install(services, handoff_settings or HandoffSettings())


def build_services(
    settings: Settings,
    *,
    handoff_settings: HandoffSettings | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
) -> Services:
    """Services with everything plugged in (scripts and tests that skip the web app)."""
    services = Services.build(settings, rasa_transport=rasa_transport)
    wire(services, handoff_settings)
    return services


def create_app(
    settings: Settings | None = None,
    *,
    handoff_settings: HandoffSettings | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The product's web app: the hub's, with the desk's policy, listeners, sweeps and routes.

    Each part reads its own settings: the hub's :class:`Settings` (and its WhatsApp channel's), the
    desk's :class:`HandoffSettings`; both come from the environment unless given (tests)."""
    desk_settings = handoff_settings or HandoffSettings()
    app = hub_app.create_app(
        settings, rasa_transport=rasa_transport, wire=lambda services: wire(services, desk_settings)
    )
    handoff_plugin.mount(app, desk_settings)
    kpis_plugin.mount(app)
    return app
