"""The WhatsApp (Cloud API) channel: delivery through the persisted outbox and the Graph API.

Receiving lives in :mod:`hub.channels.whatsapp_inbound` (webhook -> ``hub.intake``);
payload parsing in :mod:`hub.channels.whatsapp_payloads`, outgoing bodies in
:mod:`hub.channels.whatsapp_format`, sending and delivery statuses in
:mod:`hub.channels.whatsapp_outbox` and
:mod:`hub.channels.whatsapp_statuses`, HTTP in :mod:`hub.channels.graph_client`.
See docs/channels/whatsapp.md.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.broadcast import Broadcast, MemoryBroadcast
from hub.channels.graph_client import GraphClient
from hub.channels.whatsapp_media import WhatsAppMedia
from hub.channels.whatsapp_outbox import CHANNEL, Outgoing, WhatsAppOutbox
from hub.channels.whatsapp_payloads import StatusReport
from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.models import Conversation, Message
from hub.schemas import MessageOut, Receipt
from hub.shutdown import cancel_and_wait

__all__ = ["WHATSAPP", "WhatsAppChannel"]

log = logging.getLogger(__name__)

WHATSAPP = CHANNEL

#: Broadcast topic on which a process that queued outbox rows wakes the sender of another process
#: (the web process with HUB_RUN_WORKER=false -> ``python -m hub.worker``).
WAKE_TOPIC = "whatsapp:outbox"
#: Broadcast topic on which a process that does not send hands a delivery status for a wamid it does
#: not know yet to the sending process, which may be about to commit that wamid.
STATUS_TOPIC = "whatsapp:status"


class WhatsAppChannel:
    """Channel interface for WhatsApp; ``start``/``close`` run the outbox sender.

    A process that does not run the sender (``start`` not called: the web process with
    HUB_RUN_WORKER=false) wakes the one that does through the broadcast after queueing a row;
    without the wake the sender would find it at its next poll (WHATSAPP_POLL_INTERVAL).
    """

    name = WHATSAPP

    def __init__(
        self,
        settings: WhatsAppSettings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        broadcast: Broadcast | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._broadcast = broadcast or MemoryBroadcast()
        self.client = GraphClient(
            base_url=settings.graph_url,
            access_token=settings.access_token,
            phone_number_id=settings.phone_number_id,
            timeout=settings.timeout,
            transport=transport,
        )
        self.outbox = WhatsAppOutbox(settings, sessions, self.client)
        self.media = WhatsAppMedia(settings, sessions, self.client)  # customers' photos, audio, files
        self._sender: asyncio.Task[None] | None = None
        self._followers: list[asyncio.Task[None]] = []

    async def _wake_sender(self) -> None:
        if self._sender is not None:
            return  # the outbox woke its own sender
        try:
            await self._broadcast.publish(WAKE_TOPIC, {"wake": True})
        except Exception:
            log.exception("could not wake the whatsapp outbox sender (it polls anyway)")

    async def _follow_wakes(self, subscribed: asyncio.Event) -> None:
        async with self._broadcast.subscribe(WAKE_TOPIC) as frames:
            subscribed.set()
            async for _frame in frames:
                self.outbox.wake()

    async def _follow_statuses(self, subscribed: asyncio.Event) -> None:
        async with self._broadcast.subscribe(STATUS_TOPIC) as frames:
            subscribed.set()
            async for frame in frames:
                try:
                    await self.outbox.statuses.apply(StatusReport(**frame))
                except Exception:
                    log.exception("could not apply a delivery status", extra={"frame": frame})

    async def apply_status(self, report: StatusReport) -> None:
        """Record a delivery status from the webhook.

        Meta can report a status before the sender committed the wamid of its send. The sending
        process keeps such a status until it does; a process that does not send (the web process
        with HUB_RUN_WORKER=false) hands it to the one that does, through the broadcast.
        """
        if await self.outbox.statuses.apply(report) or self._sender is not None:
            return
        try:
            await self._broadcast.publish(STATUS_TOPIC, asdict(report))
        except Exception:
            log.exception("could not hand a delivery status to the sender", extra={"wamid": report.wamid})

    async def send_text(
        self,
        conversation: Conversation,
        text: str,
        buttons: list[dict[str, str]],
        *,
        message: MessageOut,
    ) -> str | None:
        """Queue the message in the outbox; the wamid is recorded when the Graph API accepts it."""
        await self.outbox.enqueue_message(conversation, message.id, text, list(buttons))
        await self._wake_sender()
        return None

    async def stage_replies(
        self, session: AsyncSession, conversation: Conversation, messages: list[Message]
    ) -> None:
        """Queue a bot answer's Graph calls in the transaction that stores it (hub/turns/answer.py)."""
        outgoing = [Outgoing(m.id, m.text, list(m.buttons or [])) for m in messages]
        # this process sends: straight after the commit (WhatsAppOutbox.send_staged)
        await self.outbox.stage_messages(session, conversation, outgoing, claim=self._sender is not None)

    async def send_staged(self, conversation: Conversation, *, message: MessageOut) -> None:
        """Send the rows :meth:`stage_replies` queued: at once when they were claimed here, else by waking
        the sender."""
        await self.outbox.send_staged(message.id)
        await self._wake_sender()

    async def stage_receipt(
        self, session: AsyncSession, conversation: Conversation, message: Message
    ) -> None:
        """Queue "read + typing…" (one Graph call) in the transaction that stores the message."""
        if message.client_message_id:
            await self.outbox.stage_read(session, conversation.id, message.client_message_id)

    async def send_receipt(self, conversation: Conversation, receipt: Receipt) -> None:
        """Send the read receipt :meth:`stage_receipt` queued with the message (wake the sender)."""
        self.outbox.wake()
        await self._wake_sender()

    async def send_typing(self, conversation: Conversation, on: bool) -> None:
        """Nothing to do: "typing…" went out with the read receipt and ends with the reply."""
        return None

    async def start(self) -> None:
        """Queue what a crash left unsent, then run the sender (resumes pending rows)."""
        for follow, name in ((self._follow_wakes, "wakes"), (self._follow_statuses, "statuses")):
            subscribed = asyncio.Event()
            task = asyncio.create_task(follow(subscribed), name=f"whatsapp-outbox-{name}")
            self._followers.append(task)
            waiter = asyncio.create_task(subscribed.wait())
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
        await self.outbox.recover()
        self._sender = asyncio.create_task(self.outbox.run(), name="whatsapp-outbox")
        log.info("whatsapp channel started", extra={"graph_url": self.settings.graph_url})

    async def close(self) -> None:
        await cancel_and_wait([self._sender, *self._followers])
        self._sender = None
        self._followers = []
        await self.media.close()
        await self.client.aclose()
