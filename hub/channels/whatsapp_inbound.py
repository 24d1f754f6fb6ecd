"""WhatsApp webhook -> the hub: check the signature, then store each message through intake.

Every message goes through :meth:`hub.intake.Receiver.receive` with its wamid as the client message
id, so a redelivered wamid (also concurrently) is stored and answered once, and the sender's
wa_id as the contact's phone (hub.contacts links it to a contact that gave that number). Text and
choices (reply buttons, list rows, template quick replies) go to the bot; media, locations,
stickers and reactions are stored with their media id for agents; files (photos, audio, video,
documents, stickers) are then downloaded for them (hub/channels/whatsapp_media.py). A photo, audio,
video or document goes to a person, its caption with it as the customer's words; what a customer
hears: hub/channels/media_reply.py. Unknown
types are logged and acknowledged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from pydantic import ValidationError

from hub.bus import Database
from hub.channels import media_reply
from hub.channels.whatsapp import WHATSAPP, WhatsAppChannel
from hub.channels.whatsapp_long_text import cut
from hub.channels.whatsapp_payloads import Inbound, Webhook, parse_webhook
from hub.contacts.details import ContactDetails
from hub.delivery import Delivery
from hub.errors import (
    HubError,
    MalformedWebhook,
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
)
from hub.intake import Intake, Receiver
from hub.media_store import FILE_TYPES
from hub.schemas import IncomingMessage
from hub.seams import TurnPolicy
from hub.status import is_bot_owned
from hub.valid_text import check_text

__all__ = ["WhatsAppInbound", "parse_body", "verify_signature"]

log = logging.getLogger(__name__)

def verify_signature(app_secret: str, body: bytes, header: str | None) -> None:
    """``X-Hub-Signature-256: sha256=<hex>`` must be the HMAC-SHA256 of the raw body."""
    if not header:
        raise WebhookSignatureMissing()
    if not app_secret:
        log.error("WHATSAPP_APP_SECRET is not set: every webhook call is refused")
        raise WebhookSignatureInvalid()
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.strip().lower().encode()):
        raise WebhookSignatureInvalid()


def _check_strings(data: Any) -> None:
    """Every key and string value in the body is text the database can store (else ValueError)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_body(body: bytes) -> Webhook:
    try:
        data = json.loads(body)
        _check_strings(data)  # no lone surrogate or NUL reaches the database
    except RecursionError as exc:
        raise MalformedWebhook("JSON nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedWebhook(f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedWebhook(f"a JSON {type(data).__name__}, not an object")
    return parse_webhook(data)


def _caption(inbound: Inbound) -> str | None:
    """A media message's caption: the customer's words, which the bot answers."""
    caption = (inbound.media or {}).get("caption") if inbound.kind == "media" else None
    return caption.strip() if isinstance(caption, str) and caption.strip() else None


def _to_bot(inbound: Inbound) -> bool:
    """Text and choices go to the bot; a photo, audio, video or document goes to a person, caption and
    all (the bot cannot see the jar the caption calls broken, and would ask for the photo just sent);
    a captioned sticker or location, should one come, is read by the bot."""
    if inbound.kind != "media":
        return True
    return inbound.type not in media_reply.PERSON_TYPES and _caption(inbound) is not None


def _context(inbound: Inbound, original_chars: int | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"whatsapp": {"type": inbound.type}}
    if original_chars is not None:  # cut to MAX_TEXT_CHARS (hub/channels/whatsapp_long_text.py)
        context["truncated"] = {"original_chars": original_chars}
        log.warning("whatsapp text cut", extra={"wamid": inbound.wamid, "original_chars": original_chars})
    if inbound.bot_text is not None:
        context["bot_text"] = inbound.bot_text
    if inbound.media is not None:
        context["media"] = inbound.media
    caption = _caption(inbound)
    if caption is not None and _to_bot(inbound):
        context["bot_text"] = caption
    return context


class WhatsAppInbound:
    """What a verified webhook carries: messages go to intake, statuses to the channel's outbox rows."""

    def __init__(
        self,
        *,
        receiver: Receiver,
        db: Database,
        delivery: Delivery,
        policy: TurnPolicy,
        phone_number_id: str,
        max_text_chars: int,
    ) -> None:
        self._receiver = receiver
        self._db = db
        self._delivery = delivery
        self._policy = policy
        self._phone_number_id = phone_number_id
        self._max_text_chars = max_text_chars

    async def _after_media(self, channel: WhatsAppChannel, inbound: Inbound, stored: Intake) -> None:
        """A new media message: fetch its file, and answer it when the bot has the conversation."""
        message, conversation = stored.message, stored.conversation
        if inbound.type in FILE_TYPES and inbound.media is not None:
            channel.media.start(message.id, inbound.media)
        if inbound.type in media_reply.PERSON_TYPES and media_reply.needs_a_person(conversation):
            await media_reply.hand_to_people(
                self._db,
                self._delivery,
                self._policy,
                conversation_id=conversation.id,
                message_id=message.id,
                media_type=inbound.type,
                caption=_caption(inbound),
            )
        elif inbound.type != "reaction" and is_bot_owned(conversation) and not _to_bot(inbound):
            await media_reply.polite_reply(
                self._db.sessions, self._delivery, conversation_id=conversation.id, message_id=message.id
            )

    async def _receive(self, channel: WhatsAppChannel, inbound: Inbound, name: str | None) -> None:
        expected = self._phone_number_id
        if expected and inbound.phone_number_id and inbound.phone_number_id != expected:
            log.warning(
                "whatsapp message for another phone number id ignored",
                extra={"wamid": inbound.wamid, "phone_number_id": inbound.phone_number_id},
            )
            return
        if inbound.kind == "unknown":
            log.warning(
                "unsupported whatsapp message type", extra={"wamid": inbound.wamid, "type": inbound.type}
            )
            return
        text, original_chars = cut(inbound.text, self._max_text_chars)
        try:
            incoming = IncomingMessage(
                channel=WHATSAPP, source_id=inbound.wa_id, client_message_id=inbound.wamid, text=text
            )
        except ValidationError as exc:
            log.warning("whatsapp message not stored", extra={"wamid": inbound.wamid, "error": str(exc)})
            return
        result = await self._receiver.receive(
            incoming,
            contact_name=name,
            context=_context(inbound, original_chars),
            to_bot=_to_bot(inbound),
            # wa_id: the number with its country code, proven by Meta's signed webhook
            details=ContactDetails(phone=inbound.wa_id, verified=True),
        )
        if result.created and inbound.kind == "media":
            await self._after_media(channel, inbound, result)

    async def receive_webhook(self, channel: WhatsAppChannel, webhook: Webhook) -> None:
        """Store the webhook's messages and delivery statuses; Graph calls happen in the outbox."""
        for inbound in webhook.messages:
            try:
                await self._receive(channel, inbound, webhook.names.get(inbound.wa_id))
            except HubError as exc:
                log.warning(
                    "whatsapp message not stored", extra={"wamid": inbound.wamid, "error": exc.message}
                )
        expected = self._phone_number_id
        for report in webhook.statuses:
            if expected and report.phone_number_id and report.phone_number_id != expected:
                log.warning(
                    "whatsapp status for another phone number id ignored",
                    extra={"wamid": report.wamid, "phone_number_id": report.phone_number_id},
                )
                continue
            await channel.apply_status(report)
