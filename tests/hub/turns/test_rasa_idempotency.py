"""A message is one turn in Rasa, even when the hub dies or loses the answer after Rasa took it.

Issue 19, item 6: after a hub ``kill -9`` the message in flight was sent again at restart and Rasa's tracker
held two user turns (custom actions with side effects would run twice). The hub now sends the message id
as metadata and, for a message that may already have reached Rasa, reads the tracker first
(hub/bot_tracker.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub import turns
from hub.bot_tracker import turn_in_events
from hub.intake import Intake
from hub.models import Message, utcnow
from hub.schemas import IncomingMessage
from hub.serial import Serializer
from hub.turns import ask
from hub.turns.ask import IN_FLIGHT_S
from tests.fakes.rasa import FALLBACK_TEXT, turn_mark
from tests.support.domain import Domain, domain_services


async def _stored(domain: Domain, text: str) -> Intake:
    """A customer message stored and queued, its bot turn not run yet (as a crash left it)."""
    incoming = IncomingMessage(
        channel="api", source_id="cust-1", client_message_id=uuid.uuid4().hex, text=text
    )
    return await domain.services.receiver.receive(incoming)


async def _as_if_sent_before(domain: Domain, message_id: int, *,
                             seconds_ago: float = 2 * IN_FLIGHT_S) -> None:
    """Asked by a process that stopped refreshing the lease ``seconds_ago`` (died, by default)."""
    async with domain.services.sessions.begin() as session:
        asked = utcnow() - timedelta(seconds=seconds_ago)
        await session.execute(sa.update(Message).where(Message.id == message_id).values(bot_asked_at=asked))


def _user_turns(domain: Domain, conversation_id: int, message_id: int) -> int:
    """User turns of the message still standing in Rasa's tracker (a rewind undoes the one before it)."""
    standing = 0
    for event in domain.rasa.tracker_events.get(str(conversation_id), []):
        if event["event"] == "user" and event["metadata"]["message_id"] == message_id:
            standing += 1
        elif event["event"] == "rewind":
            standing = max(0, standing - 1)
    return standing


async def test_a_turn_rasa_ran_before_the_hub_died_is_answered_from_the_tracker_not_run_again(
    tmp_path: Path,
) -> None:
    async with domain_services(tmp_path) as domain:
        stored = await _stored(domain, "¿cuánto tarda el envío?")
        conversation_id, message_id = stored.conversation.id, stored.message.id
        # Before the crash: the hub had sent it (bot_asked_at), Rasa ran the turn, the hub died.
        await _as_if_sent_before(domain, message_id)
        domain.rasa.tracker_events[str(conversation_id)] = [
            {"event": "user", "text": "¿cuánto tarda el envío?", "metadata": {"message_id": message_id}},
            {"event": "bot", "text": None, "data": turn_mark({"message_id": message_id})},  # actions ran
            {"event": "bot", "text": "El envío tarda 2-3 días laborables.", "data": {}},
        ]
        await turns.process_message(domain.services.turn_deps(), message_id)  # after the restart
        assert domain.said(conversation_id) == ["El envío tarda 2-3 días laborables."]
        assert domain.rasa.webhook_calls == []
        assert _user_turns(domain, conversation_id, message_id) == 1


async def test_a_turn_rasa_ran_without_its_action_server_is_undone_and_run_again(tmp_path: Path) -> None:
    """Rasa's fallback in the tracker, without the action server's mark: it is no answer to replay."""
    async with domain_services(tmp_path) as domain:
        stored = await _stored(domain, "¿cómo devuelvo algo?")
        conversation_id, message_id = stored.conversation.id, stored.message.id
        await _as_if_sent_before(domain, message_id)
        domain.rasa.tracker_events[str(conversation_id)] = [
            {"event": "user", "text": "¿cómo devuelvo algo?", "metadata": {"message_id": message_id}},
            {"event": "bot", "text": FALLBACK_TEXT, "data": {}},
        ]
        await turns.process_message(domain.services.turn_deps(), message_id)
        assert domain.said(conversation_id) == ["echo: ¿cómo devuelvo algo?"]
        assert len(domain.rasa.webhook_calls) == 1
        assert _user_turns(domain, conversation_id, message_id) == 1


async def test_a_turn_cut_off_before_the_bot_said_anything_is_undone_and_run_once(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        stored = await _stored(domain, "hola")
        conversation_id, message_id = stored.conversation.id, stored.message.id
        await _as_if_sent_before(domain, message_id)
        domain.rasa.tracker_events[str(conversation_id)] = [
            {"event": "user", "text": "hola", "metadata": {"message_id": message_id}},
        ]
        await turns.process_message(domain.services.turn_deps(), message_id)
        assert domain.said(conversation_id) == ["echo: hola"]
        assert len(domain.rasa.webhook_calls) == 1
        assert _user_turns(domain, conversation_id, message_id) == 1


async def test_an_answer_lost_on_the_way_back_is_taken_from_the_tracker(tmp_path: Path) -> None:
    async with domain_services(tmp_path, rasa_retry_base=0.01, rasa_retry_max=0.01) as domain:
        domain.rasa.timeout_after_turn = True  # Rasa runs the turn; the hub's read times out
        stored = await domain.customer("quiero devolver un pedido")
        conversation_id = stored.conversation.id
        assert domain.said(conversation_id) == ["echo: quiero devolver un pedido"]
        assert len(domain.rasa.webhook_calls) == 1
        assert _user_turns(domain, conversation_id, stored.message.id) == 1


async def test_a_first_try_does_not_read_the_tracker_first(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        stored = await domain.customer("hola")
        assert domain.said(stored.conversation.id) == ["echo: hola"]
        reads = [r for r in domain.rasa.tracker_calls if "events" not in r.url.path]
        assert reads == []  # the NLU comes with the turn (its mark), not from the tracker
        async with domain.services.sessions() as session:
            message = await session.get(Message, stored.message.id)
        assert message is not None and message.bot_asked_at is not None


def test_a_rewound_turn_does_not_count_and_other_messages_turns_are_not_this_one() -> None:
    events = [
        {"event": "user", "text": "a", "metadata": {"message_id": 7}},
        {"event": "bot", "text": "first", "data": {}},
        {"event": "rewind"},
        {"event": "user", "text": "b", "metadata": {"message_id": 8}},
        {"event": "bot", "text": "for 8", "data": {"buttons": [{"title": "Sí", "payload": "/affirm"}]}},
    ]
    assert turn_in_events(events, 7) is None
    turn = turn_in_events(events, 8)
    assert turn is not None
    [reply] = turn.replies
    assert reply.text == "for 8" and [b.payload for b in reply.buttons] == ["/affirm"]
    assert turn_in_events(events, 9) is None


async def test_a_message_another_live_process_is_asking_about_is_left_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis restarted empty: the drain leases are gone, and a second worker drains the conversation while
    the first still waits for Rasa. The second must not send the message again nor rewind the turn."""
    monkeypatch.setattr(ask, "IN_FLIGHT_S", 0.5)
    async with domain_services(tmp_path) as domain:
        stored = await _stored(domain, "hola")
        conversation_id, message_id = stored.conversation.id, stored.message.id
        await _as_if_sent_before(domain, message_id, seconds_ago=0.0)  # the first worker asked just now
        domain.rasa.tracker_events[str(conversation_id)] = [
            {"event": "user", "text": "hola", "metadata": {"message_id": message_id}},  # Rasa is on it
        ]

        async def first_worker_answers() -> None:
            await asyncio.sleep(0.2)
            async with domain.services.sessions.begin() as session:
                done = sa.update(Message).where(Message.id == message_id).values(bot_state="done")
                await session.execute(done)

        answering = asyncio.create_task(first_worker_answers())
        await turns.process_message(domain.services.turn_deps(), message_id)  # the second worker
        await answering
        assert domain.rasa.webhook_calls == []
        assert [e["event"] for e in domain.rasa.tracker_events[str(conversation_id)]] == ["user"]  # no rewind
        assert domain.said(conversation_id) == []


async def test_a_message_whose_asker_stopped_refreshing_its_lease_is_taken_over_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ask, "IN_FLIGHT_S", 0.3)
    async with domain_services(tmp_path) as domain:
        stored = await _stored(domain, "hola")
        conversation_id, message_id = stored.conversation.id, stored.message.id
        await _as_if_sent_before(domain, message_id, seconds_ago=0.0)  # then that worker died
        first = domain.services.turn_deps()
        second = dataclasses.replace(first, serializer=Serializer())  # another worker process
        await asyncio.gather(  # both find it at once: one takes the turn over, the other leaves it
            turns.process_message(first, message_id), turns.process_message(second, message_id)
        )
        assert domain.said(conversation_id) == ["echo: hola"]
        assert len(domain.rasa.webhook_calls) == 1
        assert _user_turns(domain, conversation_id, message_id) == 1
