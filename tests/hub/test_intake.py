"""Intake: one contact per (channel, source_id), one active conversation per contact."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import ContactIdentity, Conversation, Message
from tests.fakes.rasa import FakeRasa


def test_a_customer_keeps_one_contact_and_one_conversation(hub: HubClient) -> None:
    a = hub.post("hola", source_id="pablo").json()
    b = hub.post("¿sigues ahí?", source_id="pablo").json()
    other = hub.post("hola", source_id="rosa").json()
    assert (a["contact_id"], a["conversation_id"]) == (b["contact_id"], b["conversation_id"])
    assert other["contact_id"] != a["contact_id"]
    assert other["conversation_id"] != a["conversation_id"]


def test_first_messages_racing_from_a_new_customer_share_contact_and_conversation(hub: HubClient) -> None:
    start = threading.Barrier(5)
    receipts: list[Any] = []

    def send(n: int) -> None:
        start.wait()
        receipts.append(hub.post(f"mensaje {n}", source_id="nuevo").json())

    threads = [threading.Thread(target=send, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r["contact_id"] for r in receipts}) == 1
    assert len({r["conversation_id"] for r in receipts}) == 1
    assert len({r["id"] for r in receipts}) == 5

    async def counts(session: AsyncSession) -> tuple[int, int]:
        identities = await session.scalar(sa.select(sa.func.count()).select_from(ContactIdentity))
        convs = await session.scalar(sa.select(sa.func.count()).select_from(Conversation))
        return int(identities or 0), int(convs or 0)

    assert hub.db(counts) == (1, 1)


def test_a_received_message_is_stored_with_its_time_for_the_bot(hub: HubClient) -> None:
    receipt = hub.post("hola").json()

    async def stored(session: AsyncSession) -> Message | None:
        return await session.get(Message, receipt["id"])

    message = hub.db(stored)
    assert message is not None
    assert (message.message_type, message.sender_type, message.text) == ("incoming", "contact", "hola")
    assert message.bot_state in ("queued", "done")  # the bot's, not people's
    assert message.context is None and message.buttons is None
    assert message.created_at.tzinfo is not None
    assert message.created_at.isoformat() == receipt["received_at"].replace("Z", "+00:00")


def test_a_tapped_quick_reply_is_stored_as_its_title_and_the_bot_reads_the_payload(
    hub: HubClient, rasa: FakeRasa
) -> None:
    """Issue 18, item 6: the console, summaries and history show what the customer tapped, not
    ``/choose_faq{"faq_id":"envio-islas"}``."""
    payload = '/choose_faq{"faq_id":"envio-islas"}'

    def clarifying_bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if text == payload:
            return [{"text": "Sí, enviamos a Canarias."}]
        return [{"text": "¿Te refieres a alguna de estas?",
                 "buttons": [{"title": "¿Enviáis a Canarias?", "payload": payload}]}]

    rasa.reply = clarifying_bot
    response = hub.post("envio islas", source_id="ana")
    conversation_id = response.json()["conversation_id"]
    hub.wait_idle(conversation_id)
    hub.post(payload, source_id="ana")
    hub.wait_idle(conversation_id)
    incoming = [m["text"] for m in hub.messages(conversation_id) if m["message_type"] == "incoming"]
    assert incoming == ["envio islas", "¿Enviáis a Canarias?"]
    assert rasa.messages_to_bot(conversation_id)[-1] == payload
    hub.post("/choose_faq{\"faq_id\":\"otra\"}", source_id="ana")  # typed, never offered: stored as typed
    hub.wait_idle(conversation_id)
    assert hub.messages(conversation_id)[-2]["text"] == "/choose_faq{\"faq_id\":\"otra\"}"
