"""Request and response bodies of the hub API (and the frames pushed over websockets)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub.models import Conversation, Message
from hub.valid_text import check_text

__all__ = ["ConversationOut", "IncomingMessage", "MessageList", "MessageOut", "Receipt"]


class IncomingMessage(BaseModel):
    """Body of POST /api/v1/messages (channel-neutral)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    channel: str = Field(min_length=1, max_length=32, examples=["api"])
    source_id: str = Field(min_length=1, max_length=200, examples=["cli-7f3a"])
    client_message_id: str = Field(min_length=1, max_length=200, examples=["5b0c..."])
    text: str = Field(examples=["¿cuánto tarda el envío?"])
    language: Literal["es", "en"] | None = None

    _valid_text = field_validator("channel", "source_id", "client_message_id", "text")(check_text)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty; send the customer's message text")
        return value


class Receipt(BaseModel):
    """Acknowledgement of a stored incoming message, returned before any NLU runs."""

    id: int
    client_message_id: str
    conversation_id: int
    contact_id: int
    status: str
    received_at: datetime

    @classmethod
    def of(cls, message: Message) -> Receipt:
        return cls(
            id=message.id,
            client_message_id=message.client_message_id or "",
            conversation_id=message.conversation_id,
            contact_id=message.contact_id,
            status=message.status,
            received_at=message.created_at,
        )


def _sender_name(message: Message) -> str | None:
    name = (message.context or {}).get("agent_name") if message.sender_type == "agent" else None
    return name if isinstance(name, str) and name else None


_SHOWN_MEDIA_KEYS = ("type", "mime_type", "filename", "caption", "emoji", "latitude", "longitude", "name",
                     "address")


def _shown_media(message: Message) -> dict[str, Any] | None:
    media = (message.context or {}).get("media") if message.message_type == "incoming" else None
    if not isinstance(media, dict):
        return None
    return {key: media[key] for key in _SHOWN_MEDIA_KEYS if media.get(key) is not None}


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    message_type: str
    sender_type: str
    text: str
    buttons: list[dict[str, Any]] = []
    status: str
    bot_state: str | None = None
    client_message_id: str | None = None
    in_reply_to_id: int | None = None
    language: str | None = None
    delivery_error: dict[str, Any] | None = None  # why status is "failed" (channel's error or reason)
    created_at: datetime
    #: Who wrote an agent's message ("Ana"), for transcripts; None for the customer, bot and system.
    sender_name: str | None = None
    #: What the customer sent besides text (WhatsApp): type (image, audio, video, document, sticker,
    #: location, reaction), mime_type, filename, caption...; the file: GET /api/v1/messages/{id}/media.
    media: dict[str, Any] | None = None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            id=message.id,
            conversation_id=message.conversation_id,
            message_type=message.message_type,
            sender_type=message.sender_type,
            text=message.text,
            buttons=message.buttons or [],
            status=message.status,
            bot_state=message.bot_state,
            client_message_id=message.client_message_id,
            in_reply_to_id=message.in_reply_to_id,
            language=message.language,
            delivery_error=message.delivery_error,
            created_at=message.created_at,
            sender_name=_sender_name(message),
            media=_shown_media(message),
        )


class HandoffOut(BaseModel):
    """A request to hand the conversation to humans, with its reason."""

    id: int
    reason: str
    detail: dict[str, Any] | None = None
    requested_at: datetime
    claimed_at: datetime | None = None
    ended_at: datetime | None = None

    @classmethod
    def of(cls, handoff: Any) -> HandoffOut:
        """From a ``handoffs`` row (handoff/models.py: the hub only shows it)."""
        return cls(
            id=handoff.id,
            reason=handoff.reason,
            detail=handoff.detail,
            requested_at=handoff.requested_at,
            claimed_at=handoff.claimed_at,
            ended_at=handoff.ended_at,
        )


class ConversationOut(BaseModel):
    id: int
    contact_id: int
    channel: str
    status: str
    language: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    handoff: HandoffOut | None = Field(default=None, description="The latest handoff request, if any")

    @classmethod
    def of(cls, conversation: Conversation, handoff: Any | None = None) -> ConversationOut:
        return cls(
            id=conversation.id,
            contact_id=conversation.contact_id,
            channel=conversation.channel,
            status=conversation.status,
            language=conversation.language,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            resolved_at=conversation.resolved_at,
            handoff=HandoffOut.of(handoff) if handoff else None,
        )


class MessageList(BaseModel):
    """A page of a conversation's messages, oldest first."""

    conversation_id: int
    messages: list[MessageOut]
