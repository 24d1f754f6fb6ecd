"""The WhatsApp (Cloud API) channel: delivery through the persisted outbox and the Graph API.

Receiving lives in :mod:`hub.channels.whatsapp_inbound` (webhook -> ``hub.intake``);
payload parsing in :mod:`hub.channels.whatsapp_payloads`, outgoing bodies in
:mod:`hub.channels.whatsapp_format`, sending and delivery statuses in
:mod:`hub.channels.whatsapp_outbox`, HTTP in :mod:`hub.channels.graph_client`.
See docs/channels/whatsapp.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.channels.graph_client import GraphClient
from hub.channels.whatsapp_outbox import CHANNEL, WhatsAppOutbox
from hub.models import Conversation
from hub.schemas import MessageOut, Receipt
from hub.settings import Settings

__all__ = ["WHATSAPP", "WhatsAppChannel"]

log = logging.getLogger(__name__)

WHATSAPP = CHANNEL


class WhatsAppChannel:
    """Channel interface for WhatsApp; ``start``/``close`` run the outbox sender."""

    name = WHATSAPP

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.client = GraphClient(
            base_url=settings.whatsapp_graph_url,
            access_token=settings.whatsapp_access_token,
            phone_number_id=settings.whatsapp_phone_number_id,
            timeout=settings.whatsapp_timeout,
            transport=transport,
        )
        self.outbox = WhatsAppOutbox(settings, sessions, self.client)
        self._sender: asyncio.Task[None] | None = None

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
        return None

    async def send_receipt(self, conversation: Conversation, receipt: Receipt) -> None:
        """Mark the message read and show "typing…" (one Graph call, queued)."""
        if receipt.client_message_id:
            await self.outbox.enqueue_read(conversation, receipt.client_message_id)

    async def send_typing(self, conversation: Conversation, on: bool) -> None:
        """Nothing to do: "typing…" went out with the read receipt and ends with the reply."""
        return None

    async def start(self) -> None:
        """Queue what a crash left unsent, then run the sender (resumes pending rows)."""
        await self.outbox.recover()
        self._sender = asyncio.create_task(self.outbox.run(), name="whatsapp-outbox")
        log.info("whatsapp channel started", extra={"graph_url": self.settings.whatsapp_graph_url})

    async def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None
        await self.client.aclose()
