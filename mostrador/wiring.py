"""The one place that knows the hub and its plug-ins (the handoff desk, the surveys), and wires them together.

The hub (hub/) is the conversation core and imports nothing of handoff/ or surveys/: it offers seams
(hub/seams.py) and an after-commit event bus (hub/bus.py); handoff/plugin.py and surveys/plugin.py fill
the seams and subscribe their listeners. The reports (kpis/: KPIs, the reports page, /metrics) only add
routes (kpis/plugin.py). ``make lint`` (import-linter, pyproject.toml) keeps it that way.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from faq_editor import plugin as faq_editor_plugin
from faq_editor.editor import FaqEditor
from gaps import plugin as gaps_plugin
from gaps.embedding import Vectors
from handoff import plugin as handoff_plugin
from handoff.settings import HandoffSettings
from hub import app as hub_app
from hub.services import Services
from hub.settings import Settings
from kpis import plugin as kpis_plugin
from learning import plugin as learning_plugin
from learning.faq_search import FaqCatalog
from learning.settings import LearningSettings
from learning.unlearn import Unlearning
from surveys import plugin as surveys_plugin
from surveys.settings import SurveySettings

__all__ = ["build_services", "create_app", "wire"]


def wire(
    services: Services,
    handoff_settings: HandoffSettings | None = None,
    survey_settings: SurveySettings | None = None,
    learning_settings: LearningSettings | None = None,
) -> None:
    """Plug the desk, the surveys and the learning signals into built hub resources; their settings from
    the environment unless given."""
    handoff_plugin.install(services, handoff_settings or HandoffSettings())
    surveys_plugin.install(services, survey_settings or SurveySettings())
    learning_plugin.install(services, learning_settings or LearningSettings())


def build_services(
    settings: Settings,
    *,
    handoff_settings: HandoffSettings | None = None,
    survey_settings: SurveySettings | None = None,
    learning_settings: LearningSettings | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
) -> Services:
    """Services with everything plugged in (scripts and tests that skip the web app)."""
    services = Services.build(settings, rasa_transport=rasa_transport)
    wire(services, handoff_settings, survey_settings, learning_settings)
    return services


def create_app(
    settings: Settings | None = None,
    *,
    handoff_settings: HandoffSettings | None = None,
    survey_settings: SurveySettings | None = None,
    learning_settings: LearningSettings | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    faq_editor: FaqEditor | None = None,
    gap_vectors: Vectors | None = None,
) -> FastAPI:
    """The product's web app: the hub's, with the desk's policy, listeners, sweeps and routes, and the
    surveys' (closing message, CSAT/NPS, follow-ups).

    Each part reads its own settings: the hub's :class:`Settings` (and its WhatsApp channel's), the
    desk's :class:`HandoffSettings`, the surveys' :class:`SurveySettings`; all come from the
    environment unless given (tests)."""
    desk_settings = handoff_settings or HandoffSettings()
    surveys = survey_settings or SurveySettings()
    learning = learning_settings or LearningSettings()
    app = hub_app.create_app(
        settings,
        rasa_transport=rasa_transport,
        wire=lambda services: wire(services, desk_settings, surveys, learning),
    )
    handoff_plugin.mount(app, desk_settings)
    kpis_plugin.mount(app)
    faq_editor_plugin.mount(app, faq_editor)  # the FAQ editor (/faq, /api/v1/faq; KB_* settings)
    surveys_plugin.mount(app)
    editor: FaqEditor = app.state.faq_editor
    # an admin's removal of a learned example: the hub's FAQ editor rebuilds the index at once
    learning_plugin.mount(app, FaqCatalog(editor.settings.path),
                          Unlearning(editor.settings, editor.publish_learned))
    gaps_plugin.mount(app, gap_vectors)  # the knowledge-gap report (/gaps, /api/v1/gaps)
    app.state.survey_settings = surveys
    return app
