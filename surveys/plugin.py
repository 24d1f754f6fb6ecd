"""How the surveys plug into the hub: the ``Intercept`` seam, listeners, the sweep and the follow-ups API.

Called by the composition root (mostrador/wiring.py); the hub itself never imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI

from hub.services import Services
from surveys.answering import SurveyReplies
from surveys.api import router
from surveys.asking import Asking
from surveys.ending import Ending
from surveys.settings import SurveySettings

__all__ = ["build_ending", "install", "mount"]


def build_ending(services: Services, settings: SurveySettings) -> Ending:
    return Ending(db=services.db, delivery=services.delivery, settings=settings)


def install(services: Services, settings: SurveySettings) -> None:
    """Plug the surveys into built hub resources (web process and worker alike)."""
    services.seams.intercept = SurveyReplies(settings)
    ending = build_ending(services, settings)
    services.seams.tasks.append(("surveys-sweep", ending.run))
    ending.subscribe(services.bus)
    Asking(db=services.db, delivery=services.delivery, settings=settings).subscribe(services.bus)


def mount(app: FastAPI) -> None:
    app.include_router(router)
