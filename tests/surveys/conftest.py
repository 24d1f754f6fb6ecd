"""Fixtures for the surveys: a hub with the desk and the surveys plugged in (fake Rasa), on the api
channel, on WhatsApp in front of the local fake Graph API, and served by uvicorn for the widget."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

# The hub's and the desk's test helpers (hub_testing, whatsapp_testing, handoff_testing) are imported by
# their module names, as in their own folders.
_TESTS = Path(__file__).resolve().parents[1]
for _folder in (_TESTS / "hub", _TESTS / "hub" / "channels", _TESTS / "handoff"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from starlette.testclient import TestClient  # noqa: E402
from surveys_testing import SurveyHub, handing_off_bot  # noqa: E402
from whatsapp_testing import whatsapp_settings  # noqa: E402
from widget_testing import LiveHub  # noqa: E402

from mostrador.wiring import create_app  # noqa: E402
from surveys.settings import SurveySettings  # noqa: E402
from tests.fakes.graph_api import FakeGraphAPI  # noqa: E402
from tests.fakes.rasa import FakeRasa  # noqa: E402
from tests.support.in_process_hub import hub_settings  # noqa: E402
from tests.support.live_server import serving  # noqa: E402


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


def _app(settings: Any, rasa: FakeRasa, surveys: SurveySettings) -> Any:
    return create_app(settings, survey_settings=surveys, rasa_transport=httpx.MockTransport(rasa.handle))


@pytest.fixture
def hub_with(
    sqlite_url: str, tmp_path: Any, rasa: FakeRasa
) -> Callable[..., AbstractContextManager[SurveyHub]]:
    """``with hub_with(SURVEYS_SETTING=..., HUB_SETTING=...) as hub:`` a hub on SQLite; the bot echoes
    and hands off on "persona"/"person". CSAT after every bot resolution unless told otherwise."""
    rasa.reply = handing_off_bot

    @contextmanager
    def start(**overrides: Any) -> Iterator[SurveyHub]:
        values: dict[str, Any] = {"surveys_bot_csat_share": 1.0}
        for name in list(overrides):
            if name in SurveySettings.model_fields:
                values[name] = overrides.pop(name)
        surveys = SurveySettings(**values)
        with TestClient(_app(hub_settings(sqlite_url, tmp_path, **overrides), rasa, surveys)) as client:
            yield SurveyHub(client, surveys, rasa)

    return start


@pytest.fixture
def hub(hub_with: Callable[..., AbstractContextManager[SurveyHub]]) -> Iterator[SurveyHub]:
    with hub_with() as running:
        yield running


@pytest.fixture
def any_db_hub(database_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[SurveyHub]:
    """Like ``hub``, once on SQLite and once on PostgreSQL."""
    rasa.reply = handing_off_bot
    surveys = SurveySettings(surveys_bot_csat_share=1.0)
    with TestClient(_app(hub_settings(database_url, tmp_path), rasa, surveys)) as client:
        yield SurveyHub(client, surveys, rasa)


@pytest.fixture
def wa_hub(sqlite_url: str, tmp_path: Any, rasa: FakeRasa, graph: FakeGraphAPI) -> Iterator[SurveyHub]:
    """A hub with the WhatsApp channel on, sending to the fake Graph API."""
    rasa.reply = handing_off_bot
    surveys = SurveySettings(surveys_bot_csat_share=1.0)
    settings = whatsapp_settings(hub_settings(sqlite_url, tmp_path), graph)
    with TestClient(_app(settings, rasa, surveys)) as client:
        yield SurveyHub(client, surveys, rasa, graph=graph)


@pytest.fixture
async def live_hub(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> AsyncIterator[LiveHub]:
    """A hub served by uvicorn (socket.io needs a real server)."""
    rasa.reply = handing_off_bot
    surveys = SurveySettings(surveys_bot_csat_share=1.0)
    app = _app(hub_settings(sqlite_url, tmp_path), rasa, surveys)
    async with serving(app) as url:
        yield LiveHub(url, app)
