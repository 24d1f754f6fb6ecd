"""Fixtures for the KPI tests (``database_url``, SQLite and PostgreSQL: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reports_testing import Reports
from starlette.testclient import TestClient

from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def reports(database_url: str, tmp_path: Path, rasa: FakeRasa) -> Iterator[Reports]:
    app = create_app(hub_settings(database_url, tmp_path), rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield Reports(client)
