"""The WhatsApp channel's persisted outbox: every Graph call is a ``channel_outbox`` row first.

A row is written when the hub hands over a message (or a read receipt) and removed from the
queue only when the Graph API accepted it (``state = done``) or refused it for good
(``state = failed``, the Graph error recorded on the row and the message). 429, 5xx and
network errors are retried with exponential backoff. The worker starts with the hub and
picks up every pending row, so a restart loses nothing. Rows of one conversation go out in
order: a row waiting for its retry holds back the later ones. Different conversations go out
at once (up to WHATSAPP_SEND_CONCURRENCY calls), and read receipts before replies: "read +
typing…" is the customer's acknowledgement, so it never waits behind another customer's answer.

Delivery statuses from the webhook: :mod:`hub.channels.whatsapp_statuses`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import metrics
from hub.channels import whatsapp_format, whatsapp_window
from hub.channels import whatsapp_outbox_rows as rows
from hub.channels.graph_client import GraphClient, GraphError
from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.channels.whatsapp_statuses import CHANNEL, DeliveryStatuses
from hub.models import Conversation, Message, OutboxEntry, utcnow
from hub.shutdown import cancel_and_wait

__all__ = ["CHANNEL", "Outgoing", "WhatsAppOutbox"]

log = logging.getLogger(__name__)

_INSERT_ROW = sa.insert(cast(sa.Table, OutboxEntry.__table__))

_BATCH = 100
_STAGED_KEPT = 1000


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A stored outgoing message to send."""

    id: int
    text: str
    buttons: list[dict[str, Any]]


@dataclass(slots=True)
class _Staged:
    """A bot answer's rows, claimed in its transaction: one lane, started once."""

    rows: list[rows.Row]
    started: bool = False


class WhatsAppOutbox:
    """Enqueue sends, run the sender, apply delivery statuses."""

    def __init__(
        self, settings: WhatsAppSettings, sessions: async_sessionmaker[AsyncSession], client: GraphClient
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._client = client
        self._wake = asyncio.Event()
        self._lanes: dict[tuple[str, int], asyncio.Task[None]] = {}  # sending now, by lane
        self._held_back = False  # the last pass left a due row for a lane to finish first
        # A bot answer's rows, claimed in its transaction (stage_messages claim=True): by message id
        self._staged: OrderedDict[int, _Staged] = OrderedDict()
        self.statuses = DeliveryStatuses(sessions)

    def wake(self) -> None:
        self._wake.set()

    # -- enqueue -------------------------------------------------------------------------

    @staticmethod
    async def stage_read(session: AsyncSession, conversation_id: int, wamid: str) -> None:
        """Queue "read + typing…" for an incoming message in the transaction that stores it."""
        row = {  # the other columns take the model's defaults (pending, due now)
            "channel": CHANNEL,
            "kind": "read",
            "conversation_id": conversation_id,
            "payload": whatsapp_format.read_receipt(wamid),
        }
        connection = await session.connection()  # Core, not the ORM: the receipt's hot path
        await connection.execute(_INSERT_ROW, row)

    async def enqueue_message(
        self,
        conversation: Conversation,
        message_id: int,
        text: str,
        buttons: list[dict[str, Any]],
    ) -> None:
        """Queue the Graph calls that deliver a stored outgoing message (once per message), in a
        transaction of its own (:meth:`stage_messages` writes them in the caller's)."""
        try:
            async with self._sessions.begin() as session:
                queued = await self.stage_messages(
                    session, conversation, [Outgoing(message_id, text, buttons)]
                )
        except IntegrityError:
            log.info("message already in the outbox", extra={"message_id": message_id})
            return
        if queued:
            self.wake()

    async def stage_messages(
        self,
        session: AsyncSession,
        conversation: Conversation,
        messages: Sequence[Outgoing],
        *,
        claim: bool = False,
    ) -> bool:
        """Write the rows of stored outgoing messages, in order, in ``session``'s transaction; whether any
        were. ``claim`` (a bot answer, in this sending process): when nothing else of the conversation is
        still to be sent, the rows are claimed as they are written, as one lane that :meth:`send_staged`
        starts after the commit, with no pass of the sender in between.

        Outside the 24-hour customer-service window the template goes instead, or the message is marked
        failed (hub/channels/whatsapp_window.py).
        """
        last = await whatsapp_window.last_incoming(session, conversation)
        parts: list[dict[str, Any]] = []
        for message in messages:
            found = await whatsapp_window.payloads(
                session, self._settings, conversation, message.id, message.text, message.buttons, last=last
            )
            parts += [
                {
                    "channel": CHANNEL,
                    "kind": "message",
                    "conversation_id": conversation.id,
                    "message_id": message.id,
                    "part": part,
                    "payload": payload,
                }
                for part, payload in enumerate(found or [])
            ]
        if not parts:
            return False
        if claim and not await rows.sending(session, conversation.id):
            lane = _Staged(await rows.insert_claimed(session, parts, utcnow()))
            for message in messages:
                self._staged[message.id] = lane
            while len(self._staged) > _STAGED_KEPT:  # a transaction that never committed leaves its entries
                self._staged.popitem(last=False)
            return True
        connection = await session.connection()  # Core, not a flush: on every WhatsApp reply
        await connection.execute(_INSERT_ROW, parts)
        return True

    async def send_staged(self, message_id: int) -> None:
        """After the commit of messages staged with ``claim``: send their rows in a lane of their own now
        (the first of them to come here starts it); when their conversation's lane or every lane is busy
        here, give the claim back to the sender's next pass. Messages staged without a claim: wake the
        sender."""
        staged = self._staged.pop(message_id, None)
        if staged is None:
            self.wake()
            return
        if staged.started:
            return
        staged.started = True
        lane = staged.rows
        key = ("conversation", lane[0].conversation_id)
        if key not in self._lanes and len(self._lanes) < self._settings.send_concurrency:
            self._start_lane(key, lane)
            return
        async with self._sessions.begin() as session:
            await rows.release(session, [r.id for r in lane])
        self.wake()

    async def recover(self) -> int:
        """Queue outgoing WhatsApp messages that never reached the outbox (crash after commit)."""
        async with self._sessions() as session:
            has_row = sa.exists().where(OutboxEntry.message_id == Message.id)
            rows = (
                await session.execute(
                    sa.select(Message, Conversation)
                    .join(Conversation, Conversation.id == Message.conversation_id)
                    .where(
                        Message.channel == CHANNEL,
                        Message.message_type.in_(("outgoing", "activity")),
                        Message.status != "failed",
                        Message.channel_message_id.is_(None),
                        ~has_row,
                    )
                    .order_by(Message.id)
                )
            ).all()
        for message, conversation in rows:
            await self.enqueue_message(conversation, message.id, message.text, message.buttons or [])
        if rows:
            log.info("queued unsent whatsapp messages", extra={"count": len(rows)})
        return len(rows)

    # -- send ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Send due rows forever; woken by new rows and finished lanes, else looks every poll interval."""
        try:
            while True:
                self._wake.clear()
                try:
                    await self.dispatch()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("whatsapp outbox pass failed")
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns the result when a wake
                # and a cancel arrive together, the cancel is lost and the hub's stop waits forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._settings.poll_interval):
                        await self._wake.wait()
        finally:
            await cancel_and_wait(self._lanes.values())

    async def dispatch(self) -> int:
        """Start sending due rows in lanes, read receipts first, then oldest first; how many started.

        A lane is one read receipt, or the due messages of one conversation, sent in order. Up to
        WHATSAPP_SEND_CONCURRENCY lanes run at once; a conversation with a lane running, or with a
        message waiting for its retry (or being sent by another process), gets no new lane. The rows
        are read and claimed in one transaction (hub/channels/whatsapp_outbox_rows.py).
        """
        free = self._settings.send_concurrency - len(self._lanes)
        if free <= 0:
            self._held_back = True
            return 0  # a finished lane wakes the next pass
        now = utcnow()
        lanes: dict[tuple[str, int], list[rows.Row]] = {}
        async with self._sessions.begin() as session:
            self._held_back = False
            for row in await rows.due(session, now, _BATCH):
                key = ("read", row.id) if row.kind == "read" else ("conversation", row.conversation_id)
                if key in self._lanes or (key not in lanes and len(lanes) == free):
                    self._held_back = True  # its lane (or a free one) first
                    continue
                lanes.setdefault(key, []).append(row)
            claimed = await rows.claim(session, [r for lane in lanes.values() for r in lane], now)
            given_back = []
            for key, lane in list(lanes.items()):
                # a row another process took first holds back the rest of its conversation
                taken = next((i for i, r in enumerate(lane) if r.id not in claimed), len(lane))
                given_back += [r.id for r in lane[taken:] if r.id in claimed]
                lanes[key] = [replace(r, attempts=claimed[r.id]) for r in lane[:taken]]
                if not lanes[key]:
                    del lanes[key]
            await rows.release(session, given_back)
        for key, lane in lanes.items():
            self._start_lane(key, lane)
        return len(lanes)

    def _start_lane(self, key: tuple[str, int], lane: list[rows.Row]) -> None:
        task = asyncio.create_task(self._send_lane(lane), name=f"whatsapp-outbox-{key[0]}-{key[1]}")
        self._lanes[key] = task
        task.add_done_callback(functools.partial(self._lane_done, key))

    def _lane_done(self, key: tuple[str, int], _task: asyncio.Task[None]) -> None:
        self._lanes.pop(key, None)
        if self._held_back:
            self._wake.set()  # a free lane: the rows the last pass left go next
        # else nothing waits for a lane: a new row wakes the sender itself (enqueue, the web's wake),
        # and a pass per finished lane was most of the sender's statements under load

    async def _send_lane(self, lane: list[rows.Row]) -> None:
        """Send one lane's claimed rows in order; a row that is not sent (a retry later, failed for
        good) holds back the rest of the conversation, whose claims are given back."""
        for i, row in enumerate(lane):
            try:
                sent = await self._send(row)
            except Exception:
                # Other lanes go on; this row is tried again when its lease ends.
                log.exception("whatsapp outbox row failed", extra={"outbox_id": row.id})
                sent = False
            if not sent:
                rest = [r.id for r in lane[i + 1 :]]
                if rest:
                    with contextlib.suppress(Exception):  # else their leases end: sent a minute later
                        async with self._sessions.begin() as session:
                            await rows.release(session, rest)
                return

    def _delay(self, attempts: int) -> float:
        settings = self._settings
        return float(min(settings.retry_base * 2 ** (attempts - 1), settings.retry_max))

    async def _send(self, row: rows.Row) -> bool:
        """Send one claimed row; True when it is done, False when it waits or failed."""
        try:
            wamid = await self._client.send(row.payload)
        except GraphError as exc:
            error = {"http_status": exc.status, **exc.error}
            metrics.WHATSAPP_ERRORS.labels(str(bool(exc.retryable)).lower()).inc()
            if exc.retryable and row.attempts < self._settings.max_attempts:
                delay = self._delay(row.attempts)
                log.warning(
                    "whatsapp send failed, retrying",
                    extra={"outbox_id": row.id, "error": str(exc), "attempt": row.attempts, "delay": delay},
                )
                async with self._sessions.begin() as session:
                    await rows.retry_at(session, row.id, utcnow() + timedelta(seconds=delay), error)
                return False
            log.error("whatsapp send failed", extra={"outbox_id": row.id, "error": str(exc)})
            async with self._sessions.begin() as session:
                await rows.failed(session, row.id, error)
            return False
        async with self._sessions.begin() as session:
            await rows.done(session, row.id, wamid)
        await self.statuses.sent(wamid)
        return True
