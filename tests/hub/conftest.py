"""Fixtures for hub tests: a fake Rasa, a running hub (``database_url``: tests/conftest.py), and a fake Rasa
on loopback with the settings of the outage tests (hub/test_holding.py, hub/turns/test_empty_turns.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hub_testing import HubClient, RasaServer
from starlette.testclient import TestClient

from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return hub_settings(database_url, tmp_path)


@pytest.fixture
def hub(settings: Settings, rasa: FakeRasa) -> Iterator[HubClient]:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield HubClient(client)


@pytest.fixture
def rasa_server() -> Iterator[RasaServer]:
    """A fake Rasa over real HTTP on loopback, that a test can refuse, hang or silence."""
    with RasaServer() as server:
        yield server


@pytest.fixture
def outage_settings(settings: Settings, rasa_server: RasaServer) -> Settings:
    """The hub on ``rasa_server`` with quick retries (0.1 s) and a holding message after 0.2 s."""
    return settings.model_copy(
        update={
            "rasa_url": rasa_server.url,
            "rasa_retry_base": 0.1,
            "rasa_retry_max": 0.1,
            "bot_holding_after": 0.2,
            "bot_handoff_after": 0.0,  # never, unless a test says so
        }
    )
