"""Fan-out delivery: persist bot/agent messages, then deliver them to the channel and publish frames.

Two steps on purpose: ``hub.crud.messages.add_outgoing`` runs inside the caller's transaction (so a
reply is stored exactly once, together with the state change that produced it); :meth:`Delivery.deliver`
runs after the commit. Frames for the conversation bus (``conversation:<id>``, what
``WS /api/v1/conversations/{id}/ws`` streams) are published here; the channel delivers to
the customer. (The transactional outbox of a channel's API calls is hub/channels/whatsapp_outbox.py.)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import metrics
from hub.broadcast import Broadcast
from hub.channels.base import Channel, StagesReplies
from hub.crud import messages as messages_crud
from hub.models import Conversation, Message
from hub.schemas import ConversationOut, MessageOut, Receipt

__all__ = ["Delivery", "conversation_topic"]

log = logging.getLogger(__name__)


def conversation_topic(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


class Delivery:
    """After a commit: frames on the conversation's topic, and the customer's channel."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        broadcast: Broadcast,
        channels: Mapping[str, Channel],
    ) -> None:
        self._sessions = sessions
        self._broadcast = broadcast
        self._channels = channels

    async def publish(self, conversation_id: int, frame: dict[str, Any]) -> None:
        """A frame for the conversation's websocket subscribers; a failure is logged, never raised."""
        try:
            await self._broadcast.publish(conversation_topic(conversation_id), frame)
        except Exception:
            log.exception("could not publish a frame", extra={"conversation_id": conversation_id})

    async def stage(
        self, session: AsyncSession, *, conversation: Conversation, messages: list[Message]
    ) -> bool:
        """Before the commit that stores ``messages``: a channel that sends through persisted rows
        (:class:`StagesReplies`) writes them in this transaction; whether it did (then pass ``staged``
        to :meth:`deliver`)."""
        channel = self._channels.get(conversation.channel)
        if not messages or not isinstance(channel, StagesReplies):
            return False
        await channel.stage_replies(session, conversation, messages)
        return True

    async def deliver(
        self, *, conversation: Conversation, messages: list[Message], staged: bool = False
    ) -> None:
        """Deliver committed outgoing/activity messages through the channel and publish them
        (``staged``: the channel's rows were written with them, :meth:`stage`)."""
        channel = self._channels.get(conversation.channel)
        for message in messages:
            out = MessageOut.of(message)
            metrics.MESSAGES_SENT.labels(conversation.channel, message.sender_type).inc()
            await self.publish(conversation.id, {"type": "message", "message": out.model_dump(mode="json")})
            if channel is None:
                log.error("no channel to deliver through", extra={"channel": conversation.channel})
                continue
            if staged and isinstance(channel, StagesReplies):
                try:
                    await channel.send_staged(conversation, message=out)
                except Exception:  # the rows are stored: a sender takes them (next look, or lease end)
                    log.exception("could not start sending a staged answer", extra={"message_id": message.id})
                continue
            try:
                channel_message_id = await channel.send_text(
                    conversation, message.text, message.buttons or [], message=out
                )
            except Exception:
                log.exception("delivery failed", extra={"message_id": message.id})
                await self._set_delivery(message.id, status="failed", channel_message_id=None)
                continue
            if channel_message_id:
                await self._set_delivery(message.id, status="sent", channel_message_id=channel_message_id)

    async def _set_delivery(self, message_id: int, *, status: str, channel_message_id: str | None) -> None:
        async with self._sessions.begin() as session:
            message = await messages_crud.get(session, message_id=message_id)
            if message is not None:
                message.status = status
                if channel_message_id:
                    message.channel_message_id = channel_message_id

    async def announce_incoming(self, *, conversation: Conversation, message: Message) -> None:
        """Publish a stored incoming message and send the customer its receipt."""
        out = MessageOut.of(message)
        await self.publish(conversation.id, {"type": "message", "message": out.model_dump(mode="json")})
        channel = self._channels.get(conversation.channel)
        if channel is not None:
            try:
                await channel.send_receipt(conversation, Receipt.of(message))
            except Exception:
                log.exception("could not send the receipt", extra={"message_id": message.id})

    async def publish_typing(self, *, conversation: Conversation, on: bool) -> None:
        await self.publish(conversation.id, {"type": "typing", "on": on})
        channel = self._channels.get(conversation.channel)
        if channel is not None:
            try:
                await channel.send_typing(conversation, on)
            except Exception:
                log.exception("could not send typing", extra={"conversation_id": conversation.id})

    async def publish_status(self, *, conversation: Conversation) -> None:
        frame = {"type": "status", "conversation": ConversationOut.of(conversation).model_dump(mode="json")}
        await self.publish(conversation.id, frame)
