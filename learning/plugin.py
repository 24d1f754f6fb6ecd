"""How the learning signals plug into the hub: the ``bot_intercept`` seam (the answer to "¿Te ha
servido?"), listeners (asking it; implicit signals) and the API.

Called by the composition root (mostrador/wiring.py) after the desk's install (a "No" hands off through
the desk's turn policy); neither hub/, handoff/ nor surveys/ imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI

from hub.services import Services
from learning.api import router
from learning.faq_search import FaqCatalog
from learning.feedback import Asking, FeedbackReplies
from learning.implicit import Implicit
from learning.runs_api import router as runs_router
from learning.settings import LearningSettings
from learning.unlearn import Unlearning

__all__ = ["install", "mount"]


def install(services: Services, settings: LearningSettings) -> None:
    """Plug the signals into built hub resources (web process and worker alike)."""
    services.seams.bot_intercept = FeedbackReplies(settings, services.seams)
    Asking(db=services.db, delivery=services.delivery, settings=settings).subscribe(services.bus)
    Implicit(db=services.db).subscribe(services.bus)


def mount(app: FastAPI, catalog: FaqCatalog | None = None, unlearning: Unlearning | None = None) -> None:
    """The API; ``unlearning``: how an admin's removal reaches the bot at once (the composition root
    gives the FAQ editor's rebuild), else at the next learning run."""
    app.state.faq_catalog = catalog or FaqCatalog()
    app.state.unlearning = unlearning or Unlearning()
    app.include_router(router)
    app.include_router(runs_router)
