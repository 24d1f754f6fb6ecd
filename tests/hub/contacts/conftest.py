"""Fixtures for contact tests: a migrated database, and the hub's ``Database`` on it (its bus records what it
publishes)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.bus import Database, EventBus
from hub.db import create_engine, migrate, session_factory


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def db(sessions: async_sessionmaker[AsyncSession]) -> Database:
    """What hub.contacts writes with (units of work on the hub's bus)."""
    bus = EventBus()
    bus.published = []
    return Database(sessions, bus)
