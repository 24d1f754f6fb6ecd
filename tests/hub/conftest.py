"""Fixtures for hub tests: a fake Rasa and a running hub (``database_url``: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
import pytest
from hub_testing import FakeRasa, HubClient
from starlette.testclient import TestClient

from hub.app import create_app
from hub.settings import Settings

T = TypeVar("T")

@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        rasa_url="http://rasa.test:5005",
        rasa_retry_base=0.0,
        rasa_retry_max=0.0,
        jobs_url="memory://",
        broadcast_url="memory://",
        # A slow fake Rasa on a busy machine must not get holding messages or handoffs mid-test;
        # tests/hub/test_holding.py turns them on.
        bot_holding_after=0.0,
        bot_handoff_after=0.0,
    )


@pytest.fixture
def hub(settings: Settings, rasa: FakeRasa) -> Iterator[HubClient]:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield HubClient(client)
