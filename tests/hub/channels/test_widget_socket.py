"""The widget channel over socket.io (Rasa's protocol): what a website visitor's browser sees."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
import sqlalchemy as sa
from widget_testing import LiveHub

from hub.crud import conversations
from hub.crud import messages as messages_crud
from hub.intake import Intake, Receiver
from hub.models import Message
from hub.schemas import IncomingMessage
from tests.fakes.rasa import FakeRasa

GUARD_S = 20.0  # only against hangs


class Browser:
    """A socket.io client like the widget: collects every event the hub emits, in order."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)

        @self.sio.on("*")
        async def _any(event: str, data: Any = None) -> None:
            self.events[event].put_nowait(data)

    async def connect(self, hub: LiveHub, transport: str = "websocket") -> None:
        await self.sio.connect(hub.url, socketio_path="/socket.io", transports=[transport])

    async def next(self, event: str) -> Any:
        return await asyncio.wait_for(self.events[event].get(), GUARD_S)

    def pending(self, event: str) -> int:
        return self.events[event].qsize()

    async def start_session(self, session_id: str | None = None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        confirmed: str = await self.next("session_confirm")
        return confirmed

    async def say(self, session_id: str, text: str, client_message_id: str | None = None) -> None:
        data = {"message": text, "session_id": session_id, "client_message_id": client_message_id}
        await self.sio.emit("user_uttered", data)


@pytest.fixture
async def browser(live_hub: LiveHub) -> AsyncIterator[Browser]:
    client = Browser()
    await client.connect(live_hub)
    yield client
    await client.sio.disconnect()


async def widget_messages(hub: LiveHub, message_type: str = "incoming") -> list[Message]:
    async with hub.services.sessions() as session:
        rows = await session.scalars(
            sa.select(Message)
            .where(Message.channel == "widget", Message.message_type == message_type)
            .order_by(Message.id)
        )
        return list(rows)


async def test_a_new_visitor_gets_a_session_id_and_an_empty_history(browser: Browser) -> None:
    session_id = await browser.start_session(None)

    assert len(session_id) >= 16
    history = await browser.next("session_history")
    assert history == {"session_id": session_id, "messages": []}


async def test_a_returning_visitor_keeps_their_session_id(browser: Browser) -> None:
    issued = await browser.start_session(None)
    await browser.next("session_history")
    assert await browser.start_session(issued) == issued


async def test_a_session_id_the_hub_did_not_issue_reads_nothing(
    browser: Browser, live_hub: LiveHub
) -> None:
    # the visitor's session, and what an attacker could know or guess of it
    token = await browser.start_session(None)
    await browser.next("session_history")
    await browser.say(token, "mi pedido AB-12345 va a calle Mayor 5", client_message_id="c-1")
    await browser.next("bot_uttered")
    raw_id, signature = token.rsplit(".", 1)
    attacker = Browser()
    await attacker.connect(live_hub)
    try:
        for guess in (raw_id, f"{raw_id}.{signature[::-1]}", f"{raw_id}x.{signature}"):
            confirmed = await attacker.start_session(guess)
            history = await attacker.next("session_history")
            assert confirmed != token and history["messages"] == [], guess
        # a frame that names the visitor's session speaks for the attacker's own session
        await attacker.say(token, "cambiad la direccion de entrega", client_message_id="x-1")
        await attacker.next("bot_uttered")
    finally:
        await attacker.sio.disconnect()
    again = Browser()
    await again.connect(live_hub)
    try:
        await again.start_session(token)
        history = await again.next("session_history")
    finally:
        await again.sio.disconnect()
    assert [m["text"] for m in history["messages"]] == [
        "mi pedido AB-12345 va a calle Mayor 5", "echo: mi pedido AB-12345 va a calle Mayor 5"]


async def test_an_invalid_session_id_is_replaced(browser: Browser) -> None:
    confirmed = await browser.start_session("<script>")
    assert confirmed != "<script>"
    assert len(confirmed) >= 16


async def test_a_message_is_acknowledged_then_answered_by_the_bot(
    browser: Browser, live_hub: LiveHub
) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.next("session_history")

    await browser.say(session_id, "hola, ¿cuánto tarda el envío?", client_message_id="c-1")

    receipt = await browser.next("message_received")
    assert receipt["client_message_id"] == "c-1"
    assert receipt["status"] == "received"
    answer = await browser.next("bot_uttered")
    assert answer["text"] == "echo: hola, ¿cuánto tarda el envío?"
    assert answer["in_reply_to_id"] == receipt["id"]
    assert answer["sender_type"] == "bot"
    await asyncio.sleep(0.2)
    assert browser.pending("typing") == 0  # answered within BOT_TYPING_AFTER: no dots flashing
    [stored] = await widget_messages(live_hub)
    assert (stored.text, stored.client_message_id) == ("hola, ¿cuánto tarda el envío?", "c-1")


async def test_a_slow_answer_shows_typing_until_it_arrives(browser: Browser, rasa: FakeRasa) -> None:
    gate = rasa.hold_replies()
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.next("session_history")

    await browser.say(session_id, "¿hacéis envíos a Canarias?", client_message_id="c-slow")

    await browser.next("message_received")
    assert (await browser.next("typing"))["on"] is True  # after BOT_TYPING_AFTER (0.5 s)
    assert browser.pending("bot_uttered") == 0
    gate.set()
    answer = await browser.next("bot_uttered")
    assert answer["text"] == "echo: ¿hacéis envíos a Canarias?"
    assert (await browser.next("typing"))["on"] is False


async def test_bot_options_arrive_as_rasa_quick_replies(browser: Browser, rasa: FakeRasa) -> None:
    rasa.reply = lambda _text, _m: [
        {
            "text": "¿Qué necesitas?",
            "buttons": [
                {"title": "Estado del pedido", "payload": "/order_status"},
                {"title": "Hablar con una persona", "payload": "/human"},
            ],
        }
    ]
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.say(session_id, "ayuda", client_message_id="c-1")

    answer = await browser.next("bot_uttered")

    assert answer["text"] == "¿Qué necesitas?"
    assert answer["quick_replies"] == [
        {"content_type": "text", "title": "Estado del pedido", "payload": "/order_status"},
        {"content_type": "text", "title": "Hablar con una persona", "payload": "/human"},
    ]


async def test_a_resent_message_is_stored_and_answered_once(
    browser: Browser, live_hub: LiveHub, rasa: FakeRasa
) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.say(session_id, "¿dónde está mi pedido?", client_message_id="same")
    first = await browser.next("message_received")
    await browser.next("bot_uttered")

    await browser.say(session_id, "¿dónde está mi pedido?", client_message_id="same")

    again = await browser.next("message_received")
    assert again["id"] == first["id"]
    # A later message is answered; the resent one never was a second time.
    await browser.say(session_id, "gracias", client_message_id="next")
    await browser.next("message_received")
    answer = await browser.next("bot_uttered")
    assert answer["text"] == "echo: gracias"
    assert browser.pending("bot_uttered") == 0
    assert [m.text for m in await widget_messages(live_hub)] == ["¿dónde está mi pedido?", "gracias"]
    assert [c["message"] for c in rasa.webhook_calls] == ["¿dónde está mi pedido?", "gracias"]


async def test_a_reconnecting_visitor_gets_the_conversation_so_far(
    browser: Browser, live_hub: LiveHub
) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.say(session_id, "hola", client_message_id="c-1")
    await browser.next("bot_uttered")

    reloaded = Browser()
    await reloaded.connect(live_hub)
    try:
        assert await reloaded.start_session(session_id) == session_id
        history = await reloaded.next("session_history")
    finally:
        await reloaded.sio.disconnect()

    assert [(m["message_type"], m["text"]) for m in history["messages"]] == [
        ("incoming", "hola"),
        ("outgoing", "echo: hola"),
    ]
    assert history["messages"][0]["client_message_id"] == "c-1"


async def test_every_tab_of_a_session_gets_the_answer(browser: Browser, live_hub: LiveHub) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    other_tab = Browser()
    await other_tab.connect(live_hub)
    try:
        await other_tab.start_session(session_id)
        await browser.say(session_id, "hola", client_message_id="c-1")
        assert (await other_tab.next("bot_uttered"))["text"] == "echo: hola"
    finally:
        await other_tab.sio.disconnect()
    assert (await browser.next("bot_uttered"))["text"] == "echo: hola"


async def test_a_rasa_webchat_message_without_our_extensions_is_answered(browser: Browser) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)

    await browser.sio.emit(
        "user_uttered", {"message": "hola", "session_id": session_id, "customData": {"language": "es"}}
    )

    assert (await browser.next("bot_uttered"))["text"] == "echo: hola"


async def test_a_too_long_message_is_refused_with_a_reason(browser: Browser, live_hub: LiveHub) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    limit = live_hub.services.settings.max_text_chars

    await browser.say(session_id, "x" * (limit + 1), client_message_id="long")

    error = await browser.next("message_error")
    assert error["client_message_id"] == "long"
    assert error["error"]["code"] == "text_too_long"
    assert await widget_messages(live_hub) == []


async def test_an_agent_reply_reaches_the_visitor(browser: Browser, live_hub: LiveHub) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.say(session_id, "hola", client_message_id="c-1")
    receipt = await browser.next("message_received")
    await browser.next("bot_uttered")
    services = live_hub.services

    async with services.sessions.begin() as session:
        conversation = await conversations.get(session, conversation_id=receipt["conversation_id"])
        assert conversation is not None
        reply = await messages_crud.add_outgoing(
            session,
            conversation=conversation,
            text="Hola, soy Marta. ¿Te ayudo?",
            buttons=None,
            sender_type="agent",
            in_reply_to_id=None,
        )
    await services.delivery.deliver(conversation=conversation, messages=[reply])

    texts = []
    while not texts or texts[-1]["sender_type"] != "agent":
        texts.append(await browser.next("bot_uttered"))
    assert texts[-1]["text"] == "Hola, soy Marta. ¿Te ayudo?"


async def test_an_agent_reply_carries_the_agents_name_as_the_history_does(
    browser: Browser, live_hub: LiveHub
) -> None:
    """The widget labels an agent's message with their name (read aloud by screen readers), live and
    after a reload alike: the live frame carries ``sender_name`` as the session's history does."""
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.say(session_id, "hola", client_message_id="c-1")
    receipt = await browser.next("message_received")
    await browser.next("bot_uttered")
    services = live_hub.services
    async with services.sessions.begin() as session:
        conversation = await conversations.get(session, conversation_id=receipt["conversation_id"])
        assert conversation is not None
        reply = await messages_crud.add_outgoing(
            session, conversation=conversation, text="Hola, soy Ana.", buttons=None, sender_type="agent",
            in_reply_to_id=None,
        )  # fmt: skip
        reply.context = {"agent_id": 7, "agent_name": "Ana García"}  # as handoff/desk.py stores a reply
    await services.delivery.deliver(conversation=conversation, messages=[reply])

    live = await browser.next("bot_uttered")
    while live["sender_type"] != "agent":
        live = await browser.next("bot_uttered")
    assert live["sender_name"] == "Ana García"
    reloaded = Browser()
    await reloaded.connect(live_hub)
    try:
        await reloaded.start_session(session_id)
        history = (await reloaded.next("session_history"))["messages"]
    finally:
        await reloaded.sio.disconnect()
    assert [m["sender_name"] for m in history if m["sender_type"] == "agent"] == ["Ana García"]


async def test_a_message_without_a_session_id_belongs_to_the_confirmed_session(
    browser: Browser, live_hub: LiveHub
) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    await browser.sio.emit("user_uttered", {"message": "hola", "client_message_id": "c-1"})
    await browser.next("bot_uttered")

    reloaded = Browser()
    await reloaded.connect(live_hub)
    try:
        await reloaded.start_session(session_id)
        history = await reloaded.next("session_history")
    finally:
        await reloaded.sio.disconnect()
    assert [m["text"] for m in history["messages"]] == ["hola", "echo: hola"]


async def test_a_client_on_http_long_polling_is_answered_too(live_hub: LiveHub) -> None:
    polling = Browser()
    await polling.connect(live_hub, transport="polling")
    try:
        session_id = await polling.start_session(None)
        await polling.say(session_id, "hola", client_message_id="c-1")
        assert (await polling.next("bot_uttered"))["text"] == "echo: hola"
    finally:
        # A graceful polling disconnect waits for the pending long-poll GET (engine.io's ping interval,
        # 25 s) and then uvicorn's shutdown for it again (~45 s in all); the answer is what this tests.
        await polling.sio.eio.disconnect(abort=True)


async def test_a_message_the_hub_failed_to_store_gets_no_receipt_and_is_stored_when_resent(
    browser: Browser, live_hub: LiveHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = await browser.start_session(uuid.uuid4().hex)
    receive = Receiver.receive
    failures = [RuntimeError("database is down")]

    async def flaky(receiver: Receiver, incoming: IncomingMessage, **kwargs: Any) -> Intake:
        if failures:
            raise failures.pop()
        return await receive(receiver, incoming, **kwargs)

    monkeypatch.setattr(Receiver, "receive", flaky)
    await browser.say(session_id, "¿seguís ahí?", client_message_id="c-1")
    await browser.say(session_id, "¿seguís ahí?", client_message_id="c-1")  # the widget resends

    receipt = await browser.next("message_received")
    assert receipt["client_message_id"] == "c-1"
    assert (await browser.next("bot_uttered"))["text"] == "echo: ¿seguís ahí?"
    assert browser.pending("message_received") == 0
    assert browser.pending("message_error") == 0
    assert [m.text for m in await widget_messages(live_hub)] == ["¿seguís ahí?"]
