"""Fixtures for the KPI tests (``database_url``, SQLite and PostgreSQL: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from handoff import agents
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import InProcessHub, hub_settings


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


class Reports(InProcessHub):
    """A running hub (TestClient) whose supervisor reads the reports."""

    def supervisor(self) -> dict[str, str]:
        return self.reader_headers()

    def agent(self) -> dict[str, str]:
        async def log_in(session: AsyncSession) -> str:
            await agents.create(session, email="ana@example.com", name="Ana", password="s3cret-pass",
                                languages=["es"])
            _agent, token = await agents.login(
                session, email="ana@example.com", password="s3cret-pass", ttl=timedelta(hours=1)
            )
            return token

        return {"Authorization": f"Bearer {self.db(log_in)}"}


@pytest.fixture
def reports(database_url: str, tmp_path: Path, rasa: FakeRasa) -> Iterator[Reports]:
    app = create_app(hub_settings(database_url, tmp_path), rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield Reports(client)
