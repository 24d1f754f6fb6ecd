"""An erasure (hub/privacy/erasure.py) while a bot turn is answering the same contact on PostgreSQL: the
turn finishes, then everything is erased, the turn's writes included; neither deadlocks the other.
(SQLite takes its write lock at BEGIN: the two cannot interleave there.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from hub_testing import HubClient
from starlette.testclient import TestClient

from hub.db import create_engine
from hub.models import Contact, Conversation, Event, Message, utcnow
from hub.privacy import erase_contact
from hub.privacy.erasure import ErasureBusy
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
def hub(database_url: str, tmp_path: Path, rasa: FakeRasa) -> Iterator[HubClient]:
    app = create_app(hub_settings(database_url, tmp_path), rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield HubClient(client)


def _customer(hub: HubClient) -> tuple[int, int, int]:
    """A customer who wrote once and was answered: (contact, conversation, their message)."""
    receipt = hub.post("dnd esta mi pedido", source_id="cli-erase").json()
    hub.wait_idle(receipt["conversation_id"])
    return receipt["contact_id"], receipt["conversation_id"], receipt["id"]


def _left(hub: HubClient, contact_id: int, conversation_id: int) -> dict[str, int]:
    async def count(session: sa.ext.asyncio.AsyncSession) -> dict[str, int]:
        async def n(query: sa.Select[tuple[int]]) -> int:
            return int((await session.execute(query)).scalar_one())

        return {
            "contacts": await n(sa.select(sa.func.count()).where(Contact.id == contact_id)),
            "conversations": await n(sa.select(sa.func.count()).where(Conversation.id == conversation_id)),
            "messages": await n(sa.select(sa.func.count()).where(Message.contact_id == contact_id)),
            "events": await n(sa.select(sa.func.count()).where(Event.conversation_id == conversation_id)),
        }

    return hub.db(count)


def test_an_erasure_waits_for_the_turn_in_flight_then_takes_its_writes_too(
    hub: HubClient, database_url: str
) -> None:
    contact_id, conversation_id, message_id = _customer(hub)
    services = hub.services

    async def scenario() -> list[int]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as turn:
                # What a bot turn does (hub/turns/answer.py): its message first, then the conversation,
                # then rows pointing at the contact.
                await turn.begin()
                await turn.execute(
                    sa.select(Message.id).where(Message.id == message_id).with_for_update(key_share=True)
                )
                erasing = asyncio.create_task(
                    erase_contact(sessions=services.sessions, settings=services.settings,
                                  contact_id=contact_id, requested_by="test")
                )
                await asyncio.sleep(0.3)  # the erasure meets the message being answered
                touched = sa.update(Conversation).where(Conversation.id == conversation_id)
                await turn.execute(touched.values(updated_at=utcnow()))
                await turn.execute(
                    sa.insert(Event).values(conversation_id=conversation_id, contact_id=contact_id,
                                            message_id=message_id, kind="bot_replied")
                )
                await turn.commit()  # before the fix: DeadlockDetectedError in one of the two
            erasure = await erasing
            return list(erasure.conversation_ids)
        finally:
            await engine.dispose()

    portal = hub.client.portal
    assert portal is not None
    assert portal.call(scenario) == [conversation_id]
    assert _left(hub, contact_id, conversation_id) == {
        "contacts": 0, "conversations": 0, "messages": 0, "events": 0
    }


def test_a_contact_in_use_past_the_retries_is_refused_as_busy_and_nothing_is_erased(
    hub: HubClient, database_url: str
) -> None:
    contact_id, conversation_id, message_id = _customer(hub)
    services = hub.services
    before = _left(hub, contact_id, conversation_id)

    async def scenario() -> str:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as turn:
                await turn.begin()
                await turn.execute(
                    sa.select(Message.id).where(Message.id == message_id).with_for_update(key_share=True)
                )
                with pytest.raises(ErasureBusy) as refused:
                    await erase_contact(sessions=services.sessions, settings=services.settings,
                                        contact_id=contact_id, requested_by="test")
                await turn.rollback()
            return refused.value.code
        finally:
            await engine.dispose()

    portal = hub.client.portal
    assert portal is not None
    assert portal.call(scenario) == "contact_busy"
    assert _left(hub, contact_id, conversation_id) == before
    assert before["messages"] >= 2  # the customer's message and the answer
