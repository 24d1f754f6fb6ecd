"""The widget's socket.io server, speaking Rasa's socket.io channel protocol at ``/socket.io``.

Client -> hub:

- ``session_request`` ``{"session_id": str | null}`` -> ``session_confirm`` (the session id,
  a new one when none or an invalid one was given), then ``session_history``.
- ``identify`` ``{"session_id"?, "email"?, "name"?, "phone"?}`` (our widget's
  ``SupportWidget.identify``) -> the session's contact gets these details, not proven (the page's
  JavaScript can send anything): never merged with the contact that has that email or phone, a
  suggested link for agents instead (hub.contacts.linking); the ack is ``{"contact_id"}`` or
  ``{"error": {"code", "message"}}`` (also emitted as ``identify_error``).
- ``user_uttered`` ``{"message", "session_id", "client_message_id"?, "metadata"?|"customData"?}``
  -> through :meth:`hub.intake.Receiver.receive` like ``POST /api/v1/messages``. The same
  ``client_message_id`` again is stored and answered once; its receipt is sent again.
- ``user_typing`` ``{"session_id", "on": bool}`` — the visitor is (not) writing: published as
  ``{"type": "typing", "on", "by": "customer"}`` on the conversation websocket of the session's
  latest conversation (what the agent console shows). The widget sends ``on`` at most every
  few seconds while keys are pressed; the hub also drops a repeat of the same state within
  ``TYPING_REPEAT_S`` per socket.

Hub -> client:

- ``message_received`` — the receipt (``client_message_id``, ``id``, ``status: received``, ...).
- ``message_error`` ``{"client_message_id", "error": {"code", "message"}}`` — not stored; do not resend.
- ``bot_uttered`` — Rasa's payload (``text``, ``quick_replies``) plus ``id``, ``in_reply_to_id``,
  ``sender_type`` (``bot`` | ``agent`` | ``system``), ``created_at``.
- ``typing`` ``{"on": bool}`` — the bot (or an agent) is writing.
- ``session_history`` ``{"session_id", "messages": [MessageOut...]}`` — the session's latest
  conversation, sent after every ``session_confirm`` (so a reload or reconnect catches up).

Rasa widgets (rasa-webchat) send no ``client_message_id``; their messages get a fresh one.

While people own the visitor's conversation, the first socket of a session records event
``widget_opened`` and the last one to disconnect (every tab of this process closed) ``widget_closed``:
the handoff desk's sweep reads a widget closed and not opened again as a customer who left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import socketio
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hub import status
from hub.broadcast import Broadcast
from hub.bus import Database
from hub.channels.widget import CHANNEL, session_topic
from hub.channels.widget_sessions import SessionTokens, load_secret
from hub.contacts import linking
from hub.contacts.details import ContactDetails
from hub.crud import events
from hub.delivery import conversation_topic
from hub.errors import HubError
from hub.intake import Receiver
from hub.models import ContactIdentity, Conversation, Message
from hub.schemas import IncomingMessage, MessageOut
from hub.settings import Settings

__all__ = ["WidgetSocket"]

log = logging.getLogger(__name__)


#: A socket's repeat of the same typing state within this many seconds is dropped (throttle).
TYPING_REPEAT_S = 1.0


def _details(data: dict[str, Any]) -> ContactDetails:
    """email/phone/name from an ``identify`` frame or a message's ``metadata``/``customData``."""
    sources = [data, data.get("metadata"), data.get("customData")]
    found: dict[str, str] = {}
    for source in sources:
        for key in ("email", "phone", "name"):
            value = source.get(key) if isinstance(source, dict) else None
            if isinstance(value, str) and value.strip() and key not in found:
                found[key] = value.strip()
    return ContactDetails(email=found.get("email"), phone=found.get("phone"), name=found.get("name"))


def _allowed_origins(setting: str) -> str | list[str]:
    origins = [o.strip() for o in setting.split(",") if o.strip()]
    return "*" if origins in ([], ["*"]) else origins


@dataclass(frozen=True)
class _Parts:
    receiver: Receiver
    db: Database
    broadcast: Broadcast


# The session's latest conversation (id, status), in one statement: a contact merged from several
# browsers has a conversation per session, so its identity's contact and the session both pick it.
_LATEST = (
    sa.select(Conversation.id, Conversation.status)
    .join(ContactIdentity, ContactIdentity.contact_id == Conversation.contact_id)
    .where(
        ContactIdentity.channel == CHANNEL,
        ContactIdentity.source_id == sa.bindparam("session_id"),
        Conversation.channel == CHANNEL,
        Conversation.source_id == sa.bindparam("session_id"),
    )
    .order_by(Conversation.id.desc())
    .limit(1)
)


async def _latest(session: AsyncSession, session_id: str) -> sa.Row[int, str] | None:
    """The widget session's latest conversation (``id``, ``status``); None before its first message."""
    connection = await session.connection()
    return (await connection.execute(_LATEST, {"session_id": session_id})).first()


#: Events recorded while people own the visitor's conversation (read by the handoff desk's sweep).
WIDGET_OPENED, WIDGET_CLOSED = "widget_opened", "widget_closed"


class WidgetSocket:
    """Socket.io endpoint of the widget channel; ``asgi_app`` is mounted at ``/socket.io``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._parts: _Parts | None = None  # given at start (the resources are built in the lifespan)
        self._forwarders: dict[str, asyncio.Task[None]] = {}
        self._typing: dict[str, tuple[bool, float]] = {}  # sid -> (last state published, when)
        self._open: dict[str, set[str]] = {}  # session id -> its sockets (tabs) in this process
        self._tokens = SessionTokens(load_secret(settings.widget_secret, settings.data_dir))
        origins = _allowed_origins(settings.widget_allowed_origins)
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            cors_allowed_origins=origins,
            cors_credentials=origins != "*",  # any origin, but never with the visitor's cookies
            logger=False,
            engineio_logger=False,
        )
        self.asgi_app = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        self.sio.on("session_request", self.session_request)
        self.sio.on("identify", self.identify)
        self.sio.on("user_uttered", self.user_uttered)
        self.sio.on("user_typing", self.user_typing)
        self.sio.on("disconnect", self.disconnect)

    def start(self, *, receiver: Receiver, db: Database, broadcast: Broadcast) -> None:
        """Give the socket the hub's built parts (before it serves anyone)."""
        self._parts = _Parts(receiver, db, broadcast)

    @property
    def _hub(self) -> _Parts:
        if self._parts is None:
            raise RuntimeError("WidgetSocket.start() was not called")
        return self._parts

    async def session_request(self, sid: str, data: Any = None) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        resumed = self._tokens.verify(requested)  # only a token this hub issued resumes
        session_id, token = (resumed, str(requested)) if resumed else self._tokens.issue()
        await self._follow(sid, session_id)
        await self.sio.save_session(sid, {"session_id": session_id})
        first = not self._open.get(session_id)
        self._open.setdefault(session_id, set()).add(sid)
        if first:
            await self._presence(session_id, WIDGET_OPENED)
        await self.sio.emit("session_confirm", token, to=sid)
        history = await self._history(session_id)
        await self.sio.emit("session_history", {"session_id": token, "messages": history}, to=sid)

    async def identify(self, sid: str, data: Any = None) -> dict[str, Any]:
        data = data if isinstance(data, dict) else {}
        details = _details(data)
        try:
            if not details:
                raise HubError("Send at least one of email, phone, name (strings); nothing changed.")
            session_id = await self._session_id(sid, data)
            contact = await linking.identify_identity(
                self._hub.db,
                channel=CHANNEL,
                source_id=session_id,
                details=details,
                country_code=self._settings.phone_default_country_code,
            )
        except HubError as exc:
            error = {"code": exc.code, "message": exc.message}
            await self.sio.emit("identify_error", {"error": error}, to=sid)
            return {"error": error}
        except Exception:
            log.exception("could not identify a widget visitor", extra={"sid": sid})
            return {"error": {"code": "internal_error", "message": "Not saved; call identify again later."}}
        return {"contact_id": contact.id}

    async def user_uttered(self, sid: str, data: Any = None) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            return None
        session_id = await self._session_id(sid, data)
        client_message_id = data.get("client_message_id")
        if not isinstance(client_message_id, str) or not client_message_id:
            client_message_id = uuid.uuid4().hex
        try:
            incoming = IncomingMessage(
                channel=CHANNEL,
                source_id=session_id,
                client_message_id=client_message_id,
                text=str(data.get("message") or ""),
            )
            # rasa-webchat's customData / our metadata may say who the visitor is ({"email": ...}).
            result = await self._hub.receiver.receive(incoming, details=_details(data))
        except ValidationError as exc:
            await self._error(sid, client_message_id, "invalid_message", exc.errors()[0].get("msg", ""))
            return None
        except HubError as exc:
            await self._error(sid, client_message_id, exc.code, exc.message)
            return None
        except Exception:
            # E.g. the database is down: no receipt, so the widget keeps the message and resends it.
            log.exception("could not store a widget message", extra={"client_message_id": client_message_id})
            return None
        receipt: dict[str, Any] = result.receipt.model_dump(mode="json")
        if not result.created:
            # Intake announces new messages only; a resent one gets its receipt again here.
            await self.sio.emit("message_received", receipt, to=sid)
        return receipt

    async def user_typing(self, sid: str, data: Any = None) -> None:
        if not isinstance(data, dict):
            return
        on = data.get("on") is True
        now = time.monotonic()
        last = self._typing.get(sid)
        if last is not None and last[0] == on and now - last[1] < TYPING_REPEAT_S:
            return
        self._typing[sid] = (on, now)
        session_id = await self._session_id(sid, data)
        try:
            async with self._hub.db.sessions() as session:
                latest = await _latest(session, session_id)
            if latest is not None:
                frame = {"type": "typing", "on": on, "by": "customer"}
                await self._hub.broadcast.publish(conversation_topic(latest.id), frame)
        except Exception:
            log.exception("could not publish a visitor's typing", extra={"sid": sid})

    async def disconnect(self, sid: str, *_reason: Any) -> None:
        self._typing.pop(sid, None)
        self._stop_forwarding(sid)
        session = await self.sio.get_session(sid)
        session_id = session.get("session_id") if isinstance(session, dict) else None
        tabs = self._open.get(session_id) if isinstance(session_id, str) else None
        if tabs is None or sid not in tabs:
            return
        tabs.discard(sid)
        if not tabs:
            del self._open[str(session_id)]
            await self._presence(str(session_id), WIDGET_CLOSED)

    def _stop_forwarding(self, sid: str) -> None:
        task = self._forwarders.pop(sid, None)
        if task is not None:
            task.cancel()

    async def _presence(self, session_id: str, kind: str) -> None:
        """While people own the visitor's conversation, record that the widget opened or closed (every
        tab): a waiting customer whose widget stays closed has left (handoff/waiting.py)."""
        try:
            async with self._hub.db.sessions.begin() as session:
                latest = await _latest(session, session_id)
                if latest is None or latest.status != status.OPEN:  # people own it
                    return
                await events.record(session, conversation_id=latest.id, kind=kind)
        except Exception:
            log.exception("could not record the widget's presence", extra={"kind": kind})

    async def _session_id(self, sid: str, data: dict[str, Any]) -> str:
        """The session this socket was confirmed for; a ``session_id`` in the frame is ignored
        (it once let any socket speak as any visitor). Before a confirmation: the socket's own."""
        session = await self.sio.get_session(sid)
        confirmed = session.get("session_id") if isinstance(session, dict) else None
        return confirmed if isinstance(confirmed, str) else sid

    async def _error(self, sid: str, client_message_id: str, code: str, message: str) -> None:
        frame = {"client_message_id": client_message_id, "error": {"code": code, "message": message}}
        await self.sio.emit("message_error", frame, to=sid)

    async def _follow(self, sid: str, session_id: str) -> None:
        """Forward the session's frames to this socket; returns once subscribed."""
        self._stop_forwarding(sid)
        ready = asyncio.Event()

        async def forward() -> None:
            broadcast = self._hub.broadcast
            async with broadcast.subscribe(session_topic(session_id)) as frames:
                ready.set()
                async for frame in frames:
                    try:
                        await self.sio.emit(str(frame["event"]), frame["data"], to=sid)
                    except Exception:
                        log.exception("could not forward a widget frame", extra={"sid": sid})

        task = asyncio.create_task(forward(), name=f"widget-forward-{sid}")
        self._forwarders[sid] = task
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise RuntimeError("could not subscribe to the widget session") from task.exception()

    async def _history(self, session_id: str) -> list[dict[str, Any]]:
        """The messages of the session's latest conversation, oldest first."""
        async with self._hub.db.sessions() as session:
            latest = await _latest(session, session_id)
            if latest is None:
                return []
            rows = (
                await session.execute(
                    sa.select(Message)
                    .where(Message.conversation_id == latest.id)
                    .order_by(Message.id.desc())
                    .limit(self._settings.widget_history_limit)
                )
            ).scalars()
            return [MessageOut.of(m).model_dump(mode="json") for m in reversed(list(rows))]

    async def close(self) -> None:
        """Stop forwarding (at hub shutdown)."""
        tasks = list(self._forwarders.values())
        self._forwarders.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
