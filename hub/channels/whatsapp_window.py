"""The 24-hour customer-service window: what a stored outgoing message becomes as Graph API calls.

Inside the window (the customer's last WhatsApp message less than 24 hours ago) a message goes out as
itself (texts cut after sentences, buttons or a list: hub/channels/whatsapp_format.py). Outside it
WhatsApp accepts only a template: the configured one (WHATSAPP_TEMPLATE_NAME) goes instead, or the
message is marked failed with the reason.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.channels import whatsapp_format
from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.channels.whatsapp_statuses import CHANNEL, fail_message
from hub.models import Conversation, Message, utcnow

__all__ = ["WINDOW", "last_incoming", "open_since", "payloads"]

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)

_messages = cast(sa.Table, Message.__table__)
_LAST_INCOMING = sa.select(sa.func.max(_messages.c.created_at)).where(
    _messages.c.contact_id == sa.bindparam("contact_id"),
    _messages.c.channel == CHANNEL,
    _messages.c.message_type == "incoming",
)


async def last_incoming(session: AsyncSession, conversation: Conversation) -> datetime | None:
    """When the conversation's customer last wrote on WhatsApp (None: never)."""
    connection = await session.connection()
    found: datetime | None = await connection.scalar(_LAST_INCOMING, {"contact_id": conversation.contact_id})
    return found


def open_since(last: datetime | None) -> bool:
    """The window is open: the customer last wrote (at ``last``, :func:`last_incoming`) within 24 hours."""
    return last is not None and utcnow() - last <= WINDOW


async def payloads(
    session: AsyncSession,
    settings: WhatsAppSettings,
    conversation: Conversation,
    message_id: int,
    text: str,
    buttons: list[dict[str, Any]],
    *,
    last: datetime | None,
) -> list[dict[str, Any]] | None:
    """The message's Graph payloads, in order, the customer having last written at ``last``
    (:func:`last_incoming`); None when it cannot go (then it is marked failed, in ``session``'s
    transaction)."""
    if open_since(last):
        return whatsapp_format.messages_for(
            conversation.source_id, text, buttons, language=conversation.language
        )
    if settings.template_name:
        log.info("outside the 24h window: sending the template", extra={"message_id": message_id})
        return [
            whatsapp_format.template(
                conversation.source_id, settings.template_name, settings.template_language
            )
        ]
    await fail_message(
        session,
        message_id,
        {
            "code": "outside_window",
            "message": (
                "The customer's last message is more than 24 hours old, so WhatsApp only "
                "accepts a template; set WHATSAPP_TEMPLATE_NAME to send one."
            ),
            "last_incoming_at": last.isoformat() if last is not None else None,
        },
    )
    log.warning("outside the 24h window: not sent", extra={"message_id": message_id})
    return None
