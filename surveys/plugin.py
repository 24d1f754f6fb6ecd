"""How the surveys plug into the hub: the ``Intercept`` seam, listeners, the sweep and the follow-ups API.

Called by the composition root (mostrador/wiring.py); the hub itself never imports this package.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from hub.services import Services
from surveys.answering import SurveyReplies
from surveys.api import router
from surveys.asking import Asking
from surveys.ending import Ending
from surveys.settings import SurveySettings

__all__ = ["answerable", "build_ending", "install", "mount"]

log = logging.getLogger(__name__)


def answerable(settings: SurveySettings, reopen_window_hours: float) -> SurveySettings:
    """A rating reaches its survey only while the customer's message joins the resolved conversation (the
    hub's reopen window): a survey waits at most that long, and with REOPEN_WINDOW_HOURS=0 none is sent
    (the rating would start a new conversation and go to the bot as a question)."""
    if settings.surveys_answer_hours <= reopen_window_hours:
        return settings
    if reopen_window_hours <= 0:
        log.warning("REOPEN_WINDOW_HOURS=0: no CSAT or NPS is asked (a rating could not reach its survey)")
    return settings.model_copy(update={"surveys_answer_hours": reopen_window_hours})


def build_ending(services: Services, settings: SurveySettings) -> Ending:
    return Ending(db=services.db, delivery=services.delivery, settings=settings)


def install(services: Services, settings: SurveySettings) -> None:
    """Plug the surveys into built hub resources (web process and worker alike)."""
    settings = answerable(settings, services.settings.reopen_window_hours)
    services.seams.intercept = SurveyReplies(settings)
    ending = build_ending(services, settings)
    services.seams.tasks.append(("surveys-sweep", ending.run))
    ending.subscribe(services.bus)
    Asking(db=services.db, delivery=services.delivery, settings=settings).subscribe(services.bus)


def mount(app: FastAPI) -> None:
    app.include_router(router)
