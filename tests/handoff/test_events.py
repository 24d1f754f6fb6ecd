"""Every event later features hook into is published after its commit (hub/bus.py EventName), one test each.

The bus keeps what it published when ``bus.published`` is a list; ``names`` reads them for one conversation.
"""

from __future__ import annotations

import time
from typing import Any

from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from hub import status
from hub.bus import BusEvent, EventName
from hub.crud import conversations
from tests.fakes.rasa import FakeRasa


def recording(desk: Desk) -> list[BusEvent]:
    published: list[BusEvent] = []
    desk.services.bus.published = published
    return published


def names(published: list[BusEvent], conversation_id: int | None = None) -> list[EventName]:
    return [e.name for e in published if conversation_id is None or e.conversation_id == conversation_id]


def wait_for(published: list[BusEvent], name: EventName, timeout: float = 10.0) -> BusEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in published if e.name == name]
        if found:
            return found[-1]
        time.sleep(0.01)
    raise AssertionError(f"{name} not published; got {names(published)}")


def test_a_stored_message_publishes_message_received_and_a_new_conversation(desk: Desk) -> None:
    published = recording(desk)
    receipt = desk.customer("hola")
    conversation_id = receipt["conversation_id"]
    received = wait_for(published, EventName.MESSAGE_RECEIVED)
    assert received.conversation_id == conversation_id
    assert received.data["message_id"] == receipt["id"] and received.data["bot_state"] == "queued"
    assert EventName.CONVERSATION_CREATED in names(published, conversation_id)


def test_the_bot_answering_publishes_bot_answered_after_the_message(desk: Desk) -> None:
    published = recording(desk)
    conversation_id = desk.customer("hola")["conversation_id"]
    desk.wait_idle(conversation_id)
    answered = wait_for(published, EventName.BOT_ANSWERED)
    assert answered.data["replies"] == 1
    got = names(published, conversation_id)
    assert got.index(EventName.MESSAGE_RECEIVED) < got.index(EventName.BOT_ANSWERED)


def test_the_bot_offering_options_publishes_bot_clarified(desk: Desk, rasa: FakeRasa) -> None:
    rasa.reply = lambda text, _m: [
        {"text": "¿Te refieres a envíos o a devoluciones?"},
        {"custom": {"kb": {"decision": "clarify", "reason": "two close", "candidates": []}}},
    ]
    published = recording(desk)
    conversation_id = desk.customer("envio o devolucion")["conversation_id"]
    desk.wait_idle(conversation_id)
    assert wait_for(published, EventName.BOT_CLARIFIED).data["kb_decision"] == "clarify"
    assert EventName.BOT_ANSWERED not in names(published, conversation_id)


def test_rasa_failing_publishes_bot_could_not_answer(desk: Desk, rasa: FakeRasa) -> None:
    rasa.error_status = 500
    published = recording(desk)
    conversation_id = desk.customer("hola")["conversation_id"]
    desk.wait_idle(conversation_id)
    event = wait_for(published, EventName.BOT_COULD_NOT_ANSWER)
    assert (event.conversation_id, event.data["why"]) == (conversation_id, "failed")


def test_a_handoff_publishes_requested_and_the_conversation_opened(desk: Desk) -> None:
    published = recording(desk)
    conversation_id = desk.hand_off(source_id="marta")
    requested = wait_for(published, EventName.HANDOFF_REQUESTED)
    assert (requested.data["reason"], requested.data["state"]) == ("explicit_request", "waiting")
    assert requested.conversation_id == conversation_id
    assert wait_for(published, EventName.CONVERSATION_OPENED).conversation_id == conversation_id


def test_claim_publishes_handoff_assigned(desk: Desk) -> None:
    agent_id = desk.add_agent("ana@x.example", name="Ana")
    ana = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    published = recording(desk)
    claimed = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=ana)
    assert claimed.status_code == 200, claimed.text
    event = wait_for(published, EventName.HANDOFF_ASSIGNED)
    assert event.conversation_id == conversation_id
    assert (event.data["agent_id"], event.data["by"]) == (agent_id, "claim")


def test_auto_assign_publishes_handoff_assigned(auto_desk: Desk) -> None:
    agent_id = auto_desk.add_agent("ana@x.example", name="Ana")
    auto_desk.login("ana@x.example")
    published = recording(auto_desk)
    auto_desk.hand_off(source_id="marta")
    event = wait_for(published, EventName.HANDOFF_ASSIGNED)
    assert (event.data["agent_id"], event.data["by"]) == (agent_id, "auto_assign")


def test_transfer_publishes_handoff_transferred(desk: Desk) -> None:
    desk.add_agent("ana@x.example", name="Ana")
    luis_id = desk.add_agent("luis@x.example", name="Luis")
    ana = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=ana)
    published = recording(desk)
    moved = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/transfer", json={"agent_id": luis_id}, headers=ana
    )
    assert moved.status_code == 200, moved.text
    assert wait_for(published, EventName.HANDOFF_TRANSFERRED).data["to_agent_id"] == luis_id
    assert wait_for(published, EventName.HANDOFF_ASSIGNED).data["by"] == "transfer"


def test_resolve_publishes_handoff_ended_and_conversation_resolved(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    ana = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=ana)
    published = recording(desk)
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/resolve", headers=ana)
    assert wait_for(published, EventName.HANDOFF_ENDED).data["reason"] == "resolved"
    assert wait_for(published, EventName.CONVERSATION_RESOLVED).data["cause"] == "agent"


def test_hand_back_publishes_handoff_ended_and_resumes_rasa(desk: Desk, rasa: FakeRasa) -> None:
    desk.add_agent("ana@x.example")
    ana = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=ana)
    published = recording(desk)
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/hand-back", headers=ana)
    assert wait_for(published, EventName.HANDOFF_ENDED).data["reason"] == "handed_back"
    assert EventName.CONVERSATION_HANDED_BACK in names(published, conversation_id)
    assert (str(conversation_id), "resume") in rasa.events


def test_reopening_a_resolved_conversation_publishes_conversation_reopened(desk: Desk) -> None:
    conversation_id = desk.customer("hola")["conversation_id"]
    desk.wait_idle(conversation_id)
    published = recording(desk)

    async def change(fn: Any) -> None:
        async with desk.services.db.unit_of_work() as uow, uow.transaction() as session:
            await _apply(session, conversation_id, fn)

    desk.call(lambda: change(status.resolve))
    desk.call(lambda: change(status.reopen))
    expected = [EventName.CONVERSATION_RESOLVED, EventName.CONVERSATION_REOPENED]
    assert names(published, conversation_id) == expected


async def _apply(session: AsyncSession, conversation_id: int, fn: Any) -> None:
    conversation = await conversations.get(session, conversation_id=conversation_id)
    assert conversation is not None
    await fn(session, conversation=conversation)


def test_presence_publishes_agent_online_and_offline(desk: Desk) -> None:
    agent_id = desk.add_agent("ana@x.example")
    published = recording(desk)
    headers = desk.login("ana@x.example")  # puts the agent online
    desk.client.put("/api/v1/agent/me/status", json={"status": "away"}, headers=headers)
    desk.client.put("/api/v1/agent/me/status", json={"status": "offline"}, headers=headers)
    presence = [(e.name, e.data["agent_id"]) for e in published if e.name.startswith("agent.")]
    assert presence == [(EventName.AGENT_ONLINE, agent_id), (EventName.AGENT_OFFLINE, agent_id)]


def test_a_rolled_back_transaction_publishes_nothing(desk: Desk) -> None:
    conversation_id = desk.customer("hola")["conversation_id"]
    desk.wait_idle(conversation_id)
    published = recording(desk)

    async def failing() -> None:
        async with desk.services.db.unit_of_work() as uow:
            try:
                async with uow.transaction() as session:
                    await _apply(session, conversation_id, status.resolve)
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass

    desk.call(failing)
    assert published == []
    assert desk.conversation(conversation_id)["status"] == "pending"
