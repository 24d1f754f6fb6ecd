"""RETENTION_DAYS (hub/privacy/retention.py): stale conversations are erased whole, with their contact
when nothing of it is left; recent ones and those a person is handling stay; 0 keeps everything."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from hub import status
from hub.models import Contact, Conversation, Message, utcnow
from hub.privacy import retention
from hub.privacy.audit import Erasure
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings

NOW = utcnow()
OLD = NOW - timedelta(days=40)


def _bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if "persona" in text:
        return [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]
    return [{"text": f"echo: {text}"}]


@pytest.fixture
def hub30(database_url: str, tmp_path: Path, rasa: FakeRasa) -> Iterator[HubClient]:
    """A hub with RETENTION_DAYS=30."""
    rasa.reply = _bot
    app = create_app(hub_settings(database_url, tmp_path, retention_days=30),
                     rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app) as client:
        yield HubClient(client)


def _backdate(hub: HubClient, conversation_id: int, when: datetime = OLD, *, contact: bool = True) -> None:
    """The conversation (and its messages, and its contact) as if written at ``when``."""

    async def move(session: AsyncSession) -> None:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        await session.execute(
            sa.update(Message).where(Message.conversation_id == conversation_id).values(created_at=when)
        )
        conversation.created_at = when
        if conversation.resolved_at is not None:
            conversation.resolved_at = when  # long resolved: the contact's next message starts a new one
        if contact:
            await session.execute(
                sa.update(Contact).where(Contact.id == conversation.contact_id).values(created_at=when)
            )

    hub.db(move)


def _exists(hub: HubClient, model: Any, row_id: int) -> bool:
    async def get(session: AsyncSession) -> bool:
        return await session.get(model, row_id) is not None

    return hub.db(get)


async def _sweep(hub: HubClient, *, now: datetime) -> int:
    return await retention.sweep(sessions=hub.services.sessions, settings=hub.services.settings, now=now)


def _conversation(hub: HubClient, text: str, source_id: str) -> dict[str, Any]:
    receipt = hub.post(text, source_id=source_id).json()
    hub.wait_idle(receipt["conversation_id"])
    return receipt


def test_stale_conversations_go_recent_and_open_ones_stay(hub30: HubClient) -> None:
    hub = hub30
    stale = _conversation(hub, "hola, soy un cliente antiguo", "cli-old")
    recent = _conversation(hub, "hola, escribo hoy", "cli-new")
    handled = _conversation(hub, "quiero una persona", "cli-open")
    hub.wait_until(lambda: hub.conversation(handled["conversation_id"])["status"] == "open", "handed off")
    for receipt in (stale, handled):
        _backdate(hub, receipt["conversation_id"])

    erased = hub.call(lambda: _sweep(hub, now=NOW))

    assert erased == 1
    assert not _exists(hub, Conversation, stale["conversation_id"])
    assert not _exists(hub, Contact, stale["contact_id"])  # nothing of it left: the contact goes too
    assert _exists(hub, Conversation, recent["conversation_id"])
    assert _exists(hub, Conversation, handled["conversation_id"])  # a person owns it: kept
    assert [m["text"] for m in hub.messages(recent["conversation_id"])][:1] == ["hola, escribo hoy"]

    async def audits(session: AsyncSession) -> list[Erasure]:
        return list(await session.scalars(sa.select(Erasure)))

    [audit] = hub.db(audits)
    assert (audit.contact_id, audit.reason) == (stale["contact_id"], "retention")
    assert audit.conversation_ids == [stale["conversation_id"]]
    assert audit.counts["contacts"] == 1 and audit.counts["messages"] >= 2
    assert hub.call(lambda: _sweep(hub, now=NOW)) == 0  # nothing older is left


def test_a_returning_customer_keeps_the_contact_and_recent_conversations(hub30: HubClient) -> None:
    hub = hub30
    first = _conversation(hub, "primera consulta", "cli-back")

    async def resolve(session: AsyncSession) -> None:
        conversation = await session.get(Conversation, first["conversation_id"])
        assert conversation is not None
        await status.resolve(session, conversation=conversation, by="test")

    hub.db(resolve)
    _backdate(hub, first["conversation_id"])
    second = _conversation(hub, "vuelvo con otra pregunta", "cli-back")
    assert second["conversation_id"] != first["conversation_id"]

    assert hub.call(lambda: _sweep(hub, now=NOW)) == 1

    assert not _exists(hub, Conversation, first["conversation_id"])
    assert _exists(hub, Contact, first["contact_id"])
    assert _exists(hub, Conversation, second["conversation_id"])


def test_only_what_is_older_than_the_days_goes(hub30: HubClient) -> None:
    hub = hub30
    receipt = _conversation(hub, "hola", "cli-29")
    _backdate(hub, receipt["conversation_id"], NOW - timedelta(days=29))

    assert hub.call(lambda: _sweep(hub, now=NOW)) == 0
    assert hub.call(lambda: _sweep(hub, now=NOW + timedelta(days=2))) == 1


def test_without_retention_days_nothing_is_erased(hub: HubClient) -> None:
    receipt = _conversation(hub, "hola", "cli-keep")
    _backdate(hub, receipt["conversation_id"], NOW - timedelta(days=3650))

    assert hub.call(lambda: _sweep(hub, now=NOW)) == 0
    assert _exists(hub, Conversation, receipt["conversation_id"])
