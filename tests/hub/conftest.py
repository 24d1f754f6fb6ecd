"""Fixtures for hub tests: a fake Rasa and a running hub (``database_url``: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hub_testing import HubClient
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
