"""How the reports plug into the hub: routes only (the KPIs read what the hub and the desk store).

Called by the composition root (mostrador/wiring.py) after handoff's mount (the reports API uses the
desk's agents, roles and business hours); neither hub/ nor handoff/ imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI

from kpis import api, metrics, page

__all__ = ["mount"]


def mount(app: FastAPI) -> None:
    """``/api/v1/reports`` (supervisors), the page at ``/reports`` and ``/metrics``."""
    app.include_router(api.router)
    app.include_router(page.router)
    app.include_router(metrics.router)
