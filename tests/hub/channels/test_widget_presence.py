"""While people own a widget visitor's conversation, the hub records when the widget closes (every tab)
and opens again: the handoff desk reads a widget closed and not back as a customer who left."""

from __future__ import annotations

import asyncio
from typing import Any

from test_widget_socket import Browser
from widget_testing import LiveHub

from hub.crud import events
from hub.models import Conversation
from tests.fakes.rasa import FakeRasa

GUARD_S = 20.0  # only against hangs


def _handing_off(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if "persona" in text:
        return [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]
    return [{"text": "hola"}]


async def _until(check: Any, what: str) -> Any:
    async def poll() -> Any:
        while not (found := await check()):
            await asyncio.sleep(0.05)
        return found

    try:
        return await asyncio.wait_for(poll(), GUARD_S)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def test_closing_every_tab_and_coming_back_are_recorded_while_people_own_it(
    live_hub: LiveHub, rasa: FakeRasa
) -> None:
    rasa.reply = _handing_off
    first, second = Browser(), Browser()
    await first.connect(live_hub)
    session_id = await first.start_session(None)
    await first.say(session_id, "quiero hablar con una persona", "c-1")
    receipt = await first.next("message_received")
    conversation_id = int(receipt["conversation_id"])

    async def opened() -> bool:
        async with live_hub.services.sessions() as session:
            conversation = await session.get(Conversation, conversation_id)
            return conversation is not None and conversation.status == "open"

    async def presence() -> list[str]:
        async with live_hub.services.sessions() as session:
            found = await events.list_for_conversation(session, conversation_id=conversation_id)
            return [e.kind for e in found if e.kind.startswith("widget_")]

    await _until(opened, "the handoff")
    await second.connect(live_hub)  # a second tab of the same visitor
    await second.start_session(session_id)
    await first.sio.disconnect()
    await asyncio.sleep(0.3)
    assert await presence() == []  # one tab is still open
    await second.sio.disconnect()
    assert await _until(presence, "widget_closed") == ["widget_closed"]
    back = Browser()
    await back.connect(live_hub)
    await back.start_session(session_id)
    await _until(lambda: _two(presence), "widget_opened")
    assert await presence() == ["widget_closed", "widget_opened"]
    await back.sio.disconnect()


async def _two(presence: Any) -> bool:
    return len(await presence()) >= 2
