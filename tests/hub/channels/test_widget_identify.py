"""The widget tells the hub who the visitor is (a site that knows its logged-in user) over socket.io."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio
import sqlalchemy as sa
from widget_testing import LiveHub

from hub.contacts import merge
from hub.models import Contact, ContactIdentity, ContactLink, Event
from hub.schemas import IncomingMessage

GUARD_S = 20.0  # only against hangs


@pytest.fixture
async def sio(live_hub: LiveHub) -> AsyncIterator[socketio.AsyncClient]:
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    client.on("session_confirm", confirmed.put_nowait)
    await client.connect(live_hub.url, socketio_path="/socket.io", transports=["websocket"])
    client.confirmed = confirmed  # type: ignore[attr-defined]
    yield client
    await client.disconnect()


async def start(sio: socketio.AsyncClient) -> str:
    await sio.emit("session_request", {"session_id": uuid.uuid4().hex})
    session_id: str = await asyncio.wait_for(sio.confirmed.get(), GUARD_S)  # type: ignore[attr-defined]
    return session_id


async def identify(sio: socketio.AsyncClient, **data: Any) -> dict[str, Any]:
    ack: dict[str, Any] = await sio.call("identify", data, timeout=GUARD_S)
    return ack


async def contacts(hub: LiveHub) -> list[Contact]:
    async with hub.services.sessions() as session:
        return list((await session.scalars(sa.select(Contact).order_by(Contact.id))).all())


async def test_a_visitor_identified_before_writing_gets_a_contact_with_those_details(
    sio: socketio.AsyncClient, live_hub: LiveHub
) -> None:
    session_id = await start(sio)

    ack = await identify(sio, email="Ana@Example.com", name="Ana López", phone="600 111 222")

    [contact] = await contacts(live_hub)
    assert ack == {"contact_id": contact.id}
    assert (contact.email, contact.phone, contact.name) == ("ana@example.com", "34600111222", "Ana López")
    async with live_hub.services.sessions() as session:
        identity = await session.scalar(sa.select(ContactIdentity))
    assert identity is not None
    # the visitor holds a signed token "<session id>.<signature>"; the identity is the session id
    assert (identity.channel, identity.source_id) == ("widget", session_id.rsplit(".", 1)[0])


async def test_identifying_with_a_phone_another_contact_has_suggests_a_link_and_merges_nothing(
    sio: socketio.AsyncClient, live_hub: LiveHub
) -> None:
    """Was: the session's contact became the contact with that phone. A page's identify proves
    nothing (its JavaScript is the visitor's), so the visitor keeps their own contact."""
    known = await live_hub.services.receiver.receive(
        IncomingMessage(channel="api", source_id="34600111222", client_message_id="m-1", text="hola"),
    )
    async with live_hub.services.sessions.begin() as session:
        known_contact = await session.get(Contact, known.message.contact_id)
        assert known_contact is not None
        known_contact.phone, known_contact.name = "34600111222", "Ana"
    await start(sio)

    ack = await identify(sio, email="x@y.com", phone="+34 600 111 222", name="Mallory")

    known_after, visitor = await contacts(live_hub)
    assert ack == {"contact_id": visitor.id}
    assert (known_after.name, known_after.email) == ("Ana", None)
    assert (visitor.email, visitor.phone, visitor.name) == ("x@y.com", "34600111222", "Mallory")
    async with live_hub.services.sessions() as session:
        merged = await session.scalar(sa.select(Event).where(Event.kind == "contact_merged"))
        link = await session.scalar(sa.select(ContactLink))
    assert merged is None
    assert link is not None and (link.contact_id, link.other_contact_id) == (visitor.id, known_after.id)


async def test_a_bad_identify_gets_a_clear_error_and_changes_nothing(
    sio: socketio.AsyncClient, live_hub: LiveHub
) -> None:
    errors: asyncio.Queue[Any] = asyncio.Queue()
    sio.on("identify_error", errors.put_nowait)
    await start(sio)

    ack = await identify(sio, email="not-an-email")
    empty = await identify(sio, nickname="ana")

    assert ack["error"]["code"] == "invalid_contact_detail"
    assert "not-an-email" in ack["error"]["message"]
    assert "email" in empty["error"]["message"]
    assert (await asyncio.wait_for(errors.get(), GUARD_S))["error"] == ack["error"]
    assert await contacts(live_hub) == []


async def test_rasa_webchat_custom_data_identifies_the_visitor(
    sio: socketio.AsyncClient, live_hub: LiveHub
) -> None:
    session_id = await start(sio)

    receipt = await sio.call(
        "user_uttered",
        {"message": "hola", "session_id": session_id, "customData": {"email": "Webchat@Example.com"}},
        timeout=GUARD_S,
    )

    [contact] = await contacts(live_hub)
    assert receipt["contact_id"] == contact.id
    assert contact.email == "webchat@example.com"


async def test_two_browsers_of_one_person_each_keep_their_own_history(live_hub: LiveHub) -> None:
    """Identified with one email in two browsers: two contacts until an agent says they are one (was:
    merged at once); merged, each session still shows its own chat."""
    browsers = [socketio.AsyncClient(reconnection=False) for _ in range(2)]
    histories: list[asyncio.Queue[Any]] = [asyncio.Queue(), asyncio.Queue()]
    confirmed: list[asyncio.Queue[str]] = [asyncio.Queue(), asyncio.Queue()]
    sessions: list[str] = []
    for browser, history, tokens in zip(browsers, histories, confirmed, strict=True):
        browser.on("session_history", history.put_nowait)
        browser.on("session_confirm", tokens.put_nowait)
        await browser.connect(live_hub.url, socketio_path="/socket.io", transports=["websocket"])
    try:
        for browser, history, tokens in zip(browsers, histories, confirmed, strict=True):
            await browser.emit("session_request", {"session_id": None})
            sessions.append(await asyncio.wait_for(tokens.get(), GUARD_S))  # issued by the hub
            await asyncio.wait_for(history.get(), GUARD_S)
            session_id = sessions[-1]
            await browser.call("identify", {"email": "ana@example.com"}, timeout=GUARD_S)
            message = {"message": f"hola desde {session_id[:8]}", "session_id": session_id}
            await browser.call("user_uttered", message, timeout=GUARD_S)
        first, second = await contacts(live_hub)
        await merge.merge_by_agent(
            live_hub.services.db, contact_id=second.id, other_contact_id=first.id, agent_id=1
        )  # an agent confirmed they are one person
        assert len(await contacts(live_hub)) == 1

        for browser, history, session_id in zip(browsers, histories, sessions, strict=True):
            await browser.emit("session_request", {"session_id": session_id})
            shown = await asyncio.wait_for(history.get(), GUARD_S)
            texts = [m["text"] for m in shown["messages"] if m["message_type"] == "incoming"]
            assert texts == [f"hola desde {session_id[:8]}"]
    finally:
        for browser in browsers:
            await browser.disconnect()
