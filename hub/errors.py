"""Domain errors: each says what went wrong and what to do. HTTP mapping: hub.api.errors."""

from __future__ import annotations

__all__ = [
    "ConversationNotFound",
    "HubError",
    "TextTooLong",
    "UnknownChannel",
]


class HubError(Exception):
    """Base class; ``code`` is stable and machine-readable, the message is for humans."""

    code = "hub_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConversationNotFound(HubError):
    code = "conversation_not_found"

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"No conversation has id {conversation_id}. Use the conversation_id from the "
            "receipt of POST /api/v1/messages."
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
