"""The bot turn (hub/turns/) on the fast domain layer: no app, no HTTP, a recording channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.bus import EventName
from hub.models import Message
from tests.support.domain import domain_services


async def test_a_message_is_stored_answered_and_delivered_with_its_events(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        stored = await domain.customer("hola")
        conversation_id = stored.conversation.id
        assert domain.said(conversation_id) == ["echo: hola"]
        assert [r.id for r in domain.channel.receipts] == [stored.message.id]
        assert domain.names(conversation_id) == [
            EventName.CONVERSATION_CREATED,
            EventName.MESSAGE_RECEIVED,
            EventName.BOT_ANSWERED,
        ]
        async with domain.services.sessions() as session:
            incoming = await session.get(Message, stored.message.id)
        assert incoming is not None and incoming.bot_state == "done"


async def test_the_bots_handoff_payload_goes_through_the_turn_policy(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:

        def bot(_text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
            return [{"custom": {"handoff": {"reason": "complaint", "detail": {}}}}]

        domain.rasa.reply = bot
        conversation_id = (await domain.customer("quiero poner una queja")).conversation.id
        [notice] = domain.said(conversation_id)
        assert "Te paso con una persona del equipo" in notice and "posición 1" in notice
        got = domain.names(conversation_id)
        assert got.index(EventName.BOT_ANSWERED) < got.index(EventName.HANDOFF_REQUESTED)
        assert EventName.CONVERSATION_OPENED in got
        assert (str(conversation_id), "pause") in domain.rasa.events  # handoff/listeners.py, after commit


async def test_the_hub_alone_keeps_every_conversation_with_the_bot(tmp_path: Path) -> None:
    async with domain_services(tmp_path, with_handoff=False) as domain:
        domain.rasa.reply = lambda _t, _m: [{"custom": {"handoff": {"reason": "complaint"}}}]
        conversation_id = (await domain.customer("quiero poner una queja")).conversation.id
        assert EventName.HANDOFF_REQUESTED not in domain.names(conversation_id)
        assert domain.rasa.events == []


async def test_rasa_rejecting_the_message_fails_it_once(tmp_path: Path) -> None:
    async with domain_services(tmp_path, rasa_max_attempts=2) as domain:
        domain.rasa.error_status = 500
        stored = await domain.customer("hola")
        [event] = [e for e in domain.published if e.name == EventName.BOT_COULD_NOT_ANSWER]
        assert event.data["why"] == "failed"
        async with domain.services.sessions() as session:
            incoming = await session.get(Message, stored.message.id)
        assert incoming is not None and incoming.bot_state == "failed"


async def test_a_message_of_a_conversation_people_own_is_skipped_for_them(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        domain.rasa.reply = lambda _t, _m: [{"custom": {"handoff": {"reason": "complaint"}}}]
        conversation_id = (await domain.customer("una queja")).conversation.id
        calls = len(domain.rasa.webhook_calls)
        stored = await domain.customer("¿hay alguien?")
        assert stored.message.bot_state == "skipped" and len(domain.rasa.webhook_calls) == calls
        assert domain.names(conversation_id)[-1] == EventName.MESSAGE_SKIPPED
