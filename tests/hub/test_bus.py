"""The after-commit event bus (hub/bus.py) on its own: staging, commit, rollback, listener failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.bus import BusEvent, EventBus, EventName, UnitOfWork, emit
from hub.db import create_engine, session_factory


@pytest.fixture
async def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}")
    yield session_factory(engine)
    await engine.dispose()


async def test_events_wait_for_the_flush_and_keep_their_order(sessions) -> None:  # type: ignore[no-untyped-def]
    bus, heard = EventBus(), []

    async def listen(event: BusEvent) -> None:
        heard.append((event.name, event.data["n"]))

    bus.subscribe(EventName.MESSAGE_RECEIVED, listen)
    bus.subscribe(EventName.BOT_ANSWERED, listen)
    uow = UnitOfWork(sessions, bus)
    async with uow.transaction() as session:
        emit(session, EventName.MESSAGE_RECEIVED, conversation_id=1, n=1)
        emit(session, EventName.BOT_ANSWERED, conversation_id=1, n=2)
    assert heard == []  # committed, not yet flushed: the caller delivers first
    await uow.flush()
    assert heard == [(EventName.MESSAGE_RECEIVED, 1), (EventName.BOT_ANSWERED, 2)]


async def test_a_rolled_back_transaction_drops_its_events(sessions) -> None:  # type: ignore[no-untyped-def]
    bus = EventBus()
    bus.published = []
    async with UnitOfWork(sessions, bus) as uow:
        with pytest.raises(RuntimeError):
            async with uow.transaction() as session:
                emit(session, EventName.CONVERSATION_RESOLVED, conversation_id=1)
                raise RuntimeError("boom")
        async with uow.transaction() as session:
            emit(session, EventName.CONVERSATION_OPENED, conversation_id=2)
    assert [e.name for e in bus.published] == [EventName.CONVERSATION_OPENED]


async def test_a_failing_listener_does_not_stop_the_others(sessions) -> None:  # type: ignore[no-untyped-def]
    bus, heard = EventBus(), []

    async def broken(_event: BusEvent) -> None:
        raise ValueError("listener bug")

    async def fine(event: BusEvent) -> None:
        heard.append(event.conversation_id)

    bus.subscribe(EventName.HANDOFF_REQUESTED, broken)
    bus.subscribe(EventName.HANDOFF_REQUESTED, fine)
    async with UnitOfWork(sessions, bus) as uow, uow.transaction() as session:
        emit(session, EventName.HANDOFF_REQUESTED, conversation_id=7)
    assert heard == [7]


def test_event_names_are_one_enum_of_dotted_names() -> None:
    assert all("." in name.value for name in EventName)
    assert len({name.value for name in EventName}) == len(EventName)
