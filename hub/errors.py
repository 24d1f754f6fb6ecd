"""Domain errors: each says what went wrong and what to do. HTTP mapping: hub.api.errors."""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ChannelDisabled",
    "ChannelHasItsOwnEntry",
    "ContactNotFound",
    "ConversationForbidden",
    "ConversationNotAllowed",
    "ConversationNotFound",
    "CredentialsRequired",
    "HubError",
    "InvalidContactDetail",
    "LinkAlreadyDecided",
    "LinkNotFound",
    "MalformedWebhook",
    "MergeWithItself",
    "NoMediaFile",
    "NotAuthenticated",
    "TextTooLong",
    "UnknownChannel",
    "WebhookSignatureInvalid",
    "WebhookSignatureMissing",
    "WebhookVerificationFailed",
]


class HubError(Exception):
    """Base class; ``code`` is stable and machine-readable, the message is for humans."""

    code = "hub_error"
    #: HTTP status of the error (hub/api/errors.py); errors of plug-ins (handoff/errors.py) set their own.
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(HubError):
    """An agent's token that is missing where needed, unknown or expired."""

    code = "not_authenticated"
    http_status = 401

    def __init__(self) -> None:
        super().__init__(
            "Send 'Authorization: Bearer <token>' with a token from POST /api/v1/agent/login; "
            "tokens expire, log in again if yours did."
        )


class ConversationNotFound(HubError):
    code = "conversation_not_found"

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"No conversation has id {conversation_id}. Use the conversation_id from the "
            "receipt of POST /api/v1/messages."
        )


class CredentialsRequired(HubError):
    code = "credentials_required"

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"Reading conversation {conversation_id} needs credentials. An agent sends "
            "'Authorization: Bearer <token>' (token from POST /api/v1/agent/login; on the websocket "
            "?token=<token>); the customer of an api-channel conversation sends ?source_id=<the "
            "source_id its messages were posted with>."
        )


class ConversationNotAllowed(HubError):
    code = "conversation_not_allowed"
    http_status = 403

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"No puedes actuar sobre la conversación {conversation_id}: no está asignada a ti ni espera en "
            "una cola que puedas atender (idioma y habilidad); pídesela a un supervisor. / "
            f"You may not act on conversation {conversation_id}: it is neither assigned to you nor waiting "
            "in a queue you can take (language and skill); ask a supervisor."
        )


class ConversationForbidden(HubError):
    code = "conversation_forbidden"

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"This source_id is not the customer of conversation {conversation_id} (or there is no "
            "such conversation). Send the source_id the conversation's messages were posted with on "
            "the api channel, and the conversation_id from their receipt; agents send their token."
        )


class ContactNotFound(HubError):
    code = "contact_not_found"

    def __init__(self, contact_id: int) -> None:
        super().__init__(
            f"No contact has id {contact_id} (a merged contact's id is gone: use the surviving one). "
            "Take contact ids from a conversation (contact_id) or from GET /api/v1/agent/contacts/{id}."
        )


class InvalidContactDetail(HubError):
    code = "invalid_contact_detail"

    def __init__(self, field: str, value: str) -> None:
        example = "ana@example.com" if field == "email" else "+34 600 111 222"
        super().__init__(
            f"{value!r} is not a valid {field}; send one such as {example!r}. Nothing was changed."
        )


class LinkNotFound(HubError):
    code = "link_not_found"
    http_status = 404

    def __init__(self, link_id: int) -> None:
        super().__init__(
            f"This conversation's contact has no suggested link {link_id}. Take link ids from "
            "suggested_links in GET /api/v1/agent/conversations/{id}/context."
        )


class LinkAlreadyDecided(HubError):
    code = "link_already_decided"
    http_status = 409

    def __init__(self, link_id: int, state: str) -> None:
        super().__init__(f"Suggested link {link_id} is already {state}; nothing changed.")


class MergeWithItself(HubError):
    code = "merge_with_itself"

    def __init__(self, contact_id: int) -> None:
        super().__init__(
            f"Contact {contact_id} cannot be merged with itself; give the id of the other contact "
            "as other_contact_id."
        )


class TextTooLong(HubError):
    code = "text_too_long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The message text has {length} characters; the limit is {limit}. "
            "Shorten it or split it into several messages."
        )


class UnknownChannel(HubError):
    code = "unknown_channel"

    def __init__(self, channel: str, known: list[str]) -> None:
        super().__init__(f"Channel {channel!r} is not enabled on this hub. Use one of: {', '.join(known)}.")


class ChannelHasItsOwnEntry(HubError):
    """POST /api/v1/messages speaks only for the api channel: it must not impersonate another one."""

    code = "channel_not_accepted"
    http_status = 422

    ENTRIES: ClassVar[dict[str, str]] = {
        "widget": "the website widget's socket.io connection at /socket.io (a signed session)",
        "whatsapp": "the WhatsApp webhook POST /api/v1/channels/whatsapp/webhook (signed by Meta)",
    }

    def __init__(self, channel: str) -> None:
        entry = self.ENTRIES.get(channel, "that channel's own entry point")
        super().__init__(
            f"POST /api/v1/messages only accepts \"channel\": \"api\"; {channel} messages come in only "
            f"through {entry}. Nothing was stored."
        )


class ChannelDisabled(HubError):
    code = "channel_disabled"

    def __init__(self, channel: str, setting: str) -> None:
        super().__init__(f"The {channel} channel is not enabled on this hub. Set {setting}=true and restart.")


class WebhookVerificationFailed(HubError):
    code = "webhook_verification_failed"

    def __init__(self) -> None:
        super().__init__(
            "hub.mode must be 'subscribe' and hub.verify_token must equal WHATSAPP_VERIFY_TOKEN. "
            "Type the same token at Meta (WhatsApp > Configuration > Webhook)."
        )


class WebhookSignatureMissing(HubError):
    code = "signature_missing"

    def __init__(self) -> None:
        super().__init__(
            "The X-Hub-Signature-256 header is missing; webhook calls must be signed with the app "
            "secret (sha256=<hex HMAC of the raw body>). Nothing was stored."
        )


class WebhookSignatureInvalid(HubError):
    code = "signature_invalid"

    def __init__(self) -> None:
        super().__init__(
            "X-Hub-Signature-256 does not match the body; check that WHATSAPP_APP_SECRET is the app "
            "secret of the Meta app sending this webhook. Nothing was stored."
        )


class MalformedWebhook(HubError):
    code = "malformed_json"

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The webhook body is not a JSON object ({detail}); send Meta's shape "
            '{"object": "whatsapp_business_account", "entry": [...]}. Nothing was stored.'
        )


class NoMediaFile(HubError):
    code = "no_media_file"
    http_status = 404

    def __init__(self, message_id: int) -> None:
        super().__init__(
            f"Message {message_id} carries no file (or there is no such message). Files are what "
            "customers send as photos, audio, video, documents or stickers: their messages have "
            "media.type set."
        )
