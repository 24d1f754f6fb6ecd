"""Fixtures for contact tests: a migrated database and the part of the hub's services contacts use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.bus import EventBus, UnitOfWork
from hub.db import create_engine, migrate, session_factory
from hub.services import Services
from hub.settings import Settings


@dataclass
class _Services:
    """What hub.contacts uses of the hub's services."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    bus: EventBus

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.bus)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def services(sessions: async_sessionmaker[AsyncSession], tmp_path: Any) -> Services:
    bus = EventBus()
    bus.published = []
    return cast(Services, _Services(sessions, Settings(data_dir=tmp_path), bus))
