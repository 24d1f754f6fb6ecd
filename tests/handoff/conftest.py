"""Fixtures for handoff tests: the agents' desk on a hub with a fake Rasa.

``database_url`` (SQLite and PostgreSQL) comes from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
from handoff_testing import Desk
from starlette.testclient import TestClient

from handoff.settings import HandoffSettings
from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    """SQLite only: for tests whose subject does not depend on the database."""
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


def _run(settings: Settings, rasa: FakeRasa, handoff: HandoffSettings | None = None) -> Iterator[Desk]:
    app = create_app(settings, handoff_settings=handoff, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield Desk(client)


@pytest.fixture
def desk(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[Desk]:
    """A hub on SQLite whose fake bot hands off on "persona"/"person" (explicit_request)."""
    rasa.reply = _handing_off_bot
    yield from _run(hub_settings(sqlite_url, tmp_path), rasa)


@pytest.fixture
def auto_desk(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[Desk]:
    """Like ``desk`` with HANDOFF_AUTO_ASSIGN on."""
    rasa.reply = _handing_off_bot
    yield from _run(hub_settings(sqlite_url, tmp_path), rasa, HandoffSettings(handoff_auto_assign=True))


@pytest.fixture
def desk_with(sqlite_url: str, tmp_path: Any, rasa: FakeRasa) -> Callable[..., AbstractContextManager[Desk]]:
    """``with desk_with(HANDOFF_SETTING=...) as desk:`` a hub on SQLite with those settings (the desk's
    own go to its HandoffSettings, the rest to the hub's)."""
    rasa.reply = _handing_off_bot

    @contextmanager
    def start(**overrides: Any) -> Iterator[Desk]:
        desk = {name: overrides.pop(name) for name in list(overrides) if name in HandoffSettings.model_fields}
        yield from _run(hub_settings(sqlite_url, tmp_path, **overrides), rasa, HandoffSettings(**desk))

    return start


@pytest.fixture
def any_db_desk(database_url: str, tmp_path: Any, rasa: FakeRasa) -> Iterator[Desk]:
    """Like ``desk``, once on SQLite and once on PostgreSQL."""
    rasa.reply = _handing_off_bot
    yield from _run(hub_settings(database_url, tmp_path), rasa)


def _handing_off_bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    lowered = text.lower()
    if "persona" in lowered or "person" in lowered:
        return [
            {"text": "Te paso con una persona."},
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]
    if "queja" in lowered or "complaint" in lowered:
        return [{"custom": {"handoff": {"reason": "complaint", "detail": {"intent": "complaint"}}}}]
    return [{"text": f"echo: {text}"}]
