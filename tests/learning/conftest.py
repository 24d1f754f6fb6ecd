"""Fixtures for the learning signals: a hub with the desk, the surveys and the signals plugged in (a fake
bot whose answers carry the KB's decision), on the api channel, on WhatsApp in front of the local fake
Graph API, and served by uvicorn for the widget."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

_TESTS = Path(__file__).resolve().parents[1]
KB_FIXTURES = _TESTS / "knowledge_base" / "fixtures"
for _folder in (_TESTS / "hub", _TESTS / "hub" / "channels", _TESTS / "handoff", _TESTS / "surveys"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from learning_testing import LearningHub, kb_bot  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402
from whatsapp_testing import whatsapp_settings  # noqa: E402
from widget_testing import LiveHub  # noqa: E402

from faq_editor.editor import FaqEditor  # noqa: E402
from knowledge_base import KBSettings  # noqa: E402
from learning.settings import LearningSettings  # noqa: E402
from mostrador.wiring import create_app  # noqa: E402
from surveys.settings import SurveySettings  # noqa: E402
from tests.fakes.graph_api import FakeGraphAPI  # noqa: E402
from tests.fakes.rasa import FakeRasa  # noqa: E402
from tests.support.in_process_hub import hub_settings  # noqa: E402
from tests.support.live_server import serving  # noqa: E402

#: Only the answers that are not clearly confident are asked about (no sample): tests stay deterministic.
_SURVEYS = SurveySettings(surveys_bot_csat_share=0.0)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


def _app(settings: Any, rasa: FakeRasa, learning: LearningSettings, editor: FaqEditor | None = None) -> Any:
    """The product's app; its FAQ editor on a temporary KB (never the developer's ``var/kb``)."""
    return create_app(
        settings,
        survey_settings=_SURVEYS,
        learning_settings=learning,
        rasa_transport=httpx.MockTransport(rasa.handle),
        faq_editor=editor or FaqEditor(KBSettings(index_dir=Path(settings.data_dir) / "kb")),
    )


def _learning(**overrides: Any) -> LearningSettings:
    return LearningSettings(**{"learning_feedback_share": 0.0, **overrides})


@pytest.fixture
def hub_with(
    sqlite_url: str, tmp_path: Any, rasa: FakeRasa
) -> Callable[..., AbstractContextManager[LearningHub]]:
    """``with hub_with(LEARNING_SETTING=..., HUB_SETTING=...) as hub:`` a hub on SQLite with kb_bot."""
    rasa.reply = kb_bot

    @contextmanager
    def start(**overrides: Any) -> Iterator[LearningHub]:
        values = {k: overrides.pop(k) for k in list(overrides) if k in LearningSettings.model_fields}
        settings = hub_settings(sqlite_url, tmp_path, **overrides)
        with TestClient(_app(settings, rasa, _learning(**values))) as client:
            yield LearningHub(client, _SURVEYS, rasa)

    return start


@pytest.fixture
def hub(hub_with: Callable[..., AbstractContextManager[LearningHub]]) -> Iterator[LearningHub]:
    with hub_with() as running:
        yield running


@pytest.fixture
def any_db_hub(database_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[LearningHub]:
    """Like ``hub``, once on SQLite and once on PostgreSQL."""
    rasa.reply = kb_bot
    with TestClient(_app(hub_settings(database_url, tmp_path), rasa, _learning())) as client:
        yield LearningHub(client, _SURVEYS, rasa)


@pytest.fixture
def kb_hub(database_url: str, tmp_path: Any, rasa: FakeRasa, kb: KBSettings) -> Iterator[LearningHub]:
    """Like ``any_db_hub``, its FAQ editor on ``kb`` (the FAQ the learning runs learn into)."""
    rasa.reply = kb_bot
    app = _app(hub_settings(database_url, tmp_path), rasa, _learning(), FaqEditor(kb))
    with TestClient(app) as client:
        yield LearningHub(client, _SURVEYS, rasa)


@pytest.fixture
def kb(tmp_path: Path) -> KBSettings:
    """The small KB (pago-metodos, envio-plazo, ...) with its labelled queries as its test queries."""
    shutil.copytree(KB_FIXTURES / "kb_small", tmp_path / "kb")
    (tmp_path / "kb" / "queries").mkdir()
    shutil.copy(KB_FIXTURES / "kb_small_queries.jsonl", tmp_path / "kb" / "queries" / "test.jsonl")
    return KBSettings(path=tmp_path / "kb", index_dir=tmp_path / "kb-index",
                      calibration_queries=tmp_path / "none.jsonl")


@pytest.fixture
def wa_hub(sqlite_url: str, tmp_path: Any, rasa: FakeRasa, graph: FakeGraphAPI) -> Iterator[LearningHub]:
    """A hub with the WhatsApp channel on, sending to the fake Graph API."""
    rasa.reply = kb_bot
    settings = whatsapp_settings(hub_settings(sqlite_url, tmp_path), graph)
    with TestClient(_app(settings, rasa, _learning())) as client:
        yield LearningHub(client, _SURVEYS, rasa, graph=graph)


@pytest.fixture
async def live_hub(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> AsyncIterator[LiveHub]:
    """A hub served by uvicorn (socket.io needs a real server)."""
    rasa.reply = kb_bot
    app = _app(hub_settings(sqlite_url, tmp_path), rasa, _learning())
    async with serving(app) as url:
        yield LiveHub(url, app)
