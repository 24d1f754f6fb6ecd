"""A contact erased while the bot is answering it leaves nothing: no reply stored or sent, no error, and
Rasa's tracker, which the turn writes after the erasure deleted it, is deleted again.

Found by the attacker's walk (docs/security.md): the hub logged ``job failed`` (an AssertionError) and 13
tracker rows with the erased customer's words stayed in Rasa's store.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from hub import turns
from hub.models import Message
from hub.privacy.erasure import erase_contact
from hub.schemas import IncomingMessage
from tests.support.domain import domain_services


def _tracker_rows(store: Path, sender: str) -> int:
    with sqlite3.connect(store) as db:
        return int(db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0])


async def test_erasing_a_contact_while_rasa_answers_it_leaves_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = tmp_path / "rasa_tracker.db"  # Rasa's SQL tracker store in DATA_DIR, as make run has it
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
    async with domain_services(tmp_path) as domain:
        incoming = IncomingMessage(
            channel="api",
            source_id="cust-1",
            client_message_id=uuid.uuid4().hex,
            text="Borrad mis datos, mi correo es ana@example.com",
        )
        stored = await domain.services.receiver.receive(incoming)
        sender = str(stored.conversation.id)

        async def erased_meanwhile(_body: dict[str, Any]) -> None:
            await erase_contact(
                sessions=domain.services.sessions,
                settings=domain.services.settings,
                contact_id=stored.conversation.contact_id,
                requested_by="test",
            )
            with sqlite3.connect(store) as db:  # Rasa saves the turn after the erasure
                db.execute("INSERT INTO events (sender_id, data) VALUES (?, ?)", (sender, incoming.text))

        domain.rasa.before_reply = erased_meanwhile
        with caplog.at_level(logging.INFO):
            await turns.process_message(domain.services.turn_deps(), stored.message.id)
        assert domain.said(stored.conversation.id) == []
        assert _tracker_rows(store, sender) == 0
        async with domain.services.sessions() as session:
            left = await session.scalar(sa.select(sa.func.count(Message.id)))
        assert left == 0
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert "its Rasa tracker deleted again" in caplog.text
