"""Fan-out delivery: persist bot/agent messages, then deliver them to the channel and publish frames.

Two steps on purpose: ``add_*`` runs inside the caller's transaction (so a reply is stored
exactly once, together with the state change that produced it); ``deliver`` runs after the
commit. Frames for the conversation bus (``conversation:<id>``, what
``WS /api/v1/conversations/{id}/ws`` streams) are published here; the channel delivers to
the customer. (The transactional outbox of a channel's API calls is hub/channels/whatsapp_outbox.py.)
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import messages as messages_crud
from hub.models import Conversation, Message
from hub.schemas import ConversationOut, MessageOut, Receipt
from hub.services import Services

__all__ = [
    "add_reply",
    "announce_incoming",
    "conversation_topic",
    "deliver",
    "publish_status",
    "publish_typing",
]

log = logging.getLogger(__name__)


def conversation_topic(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


async def add_reply(
    session: AsyncSession,
    *,
    conversation: Conversation,
    text: str,
    buttons: list[dict[str, Any]] | None,
    sender_type: str,
    in_reply_to_id: int | None,
) -> Message:
    """Stage an outgoing message (bot or agent) in the caller's transaction."""
    return await messages_crud.add_outgoing(
        session,
        conversation=conversation,
        text=text,
        buttons=buttons,
        sender_type=sender_type,
        in_reply_to_id=in_reply_to_id,
    )


async def _publish(services: Services, conversation_id: int, frame: dict[str, Any]) -> None:
    try:
        await services.broadcast.publish(conversation_topic(conversation_id), frame)
    except Exception:
        log.exception("could not publish a frame", extra={"conversation_id": conversation_id})


async def deliver(services: Services, *, conversation: Conversation, messages: list[Message]) -> None:
    """Deliver committed outgoing/activity messages through the channel and publish them."""
    channel = services.channels.get(conversation.channel)
    for message in messages:
        out = MessageOut.of(message)
        await _publish(services, conversation.id, {"type": "message", "message": out.model_dump(mode="json")})
        if channel is None:
            log.error("no channel to deliver through", extra={"channel": conversation.channel})
            continue
        try:
            channel_message_id = await channel.send_text(
                conversation, message.text, message.buttons or [], message=out
            )
        except Exception:
            log.exception("delivery failed", extra={"message_id": message.id})
            await _set_delivery(services, message.id, status="failed", channel_message_id=None)
            continue
        if channel_message_id:
            await _set_delivery(services, message.id, status="sent", channel_message_id=channel_message_id)


async def _set_delivery(
    services: Services, message_id: int, *, status: str, channel_message_id: str | None
) -> None:
    async with services.sessions.begin() as session:
        message = await messages_crud.get(session, message_id=message_id)
        if message is not None:
            message.status = status
            if channel_message_id:
                message.channel_message_id = channel_message_id


async def announce_incoming(services: Services, *, conversation: Conversation, message: Message) -> None:
    """Publish a stored incoming message and send the customer its receipt."""
    out = MessageOut.of(message)
    await _publish(services, conversation.id, {"type": "message", "message": out.model_dump(mode="json")})
    channel = services.channels.get(conversation.channel)
    if channel is not None:
        try:
            await channel.send_receipt(conversation, Receipt.of(message))
        except Exception:
            log.exception("could not send the receipt", extra={"message_id": message.id})


async def publish_typing(services: Services, *, conversation: Conversation, on: bool) -> None:
    await _publish(services, conversation.id, {"type": "typing", "on": on})
    channel = services.channels.get(conversation.channel)
    if channel is not None:
        try:
            await channel.send_typing(conversation, on)
        except Exception:
            log.exception("could not send typing", extra={"conversation_id": conversation.id})


async def publish_status(services: Services, *, conversation: Conversation) -> None:
    frame = {"type": "status", "conversation": ConversationOut.of(conversation).model_dump(mode="json")}
    await _publish(services, conversation.id, frame)
