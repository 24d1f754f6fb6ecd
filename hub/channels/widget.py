"""The website widget channel: delivery is a socket.io event to the browser session.

A widget customer is identified by the session id their browser keeps (contact identity
``("widget", session_id)``). Delivery publishes ``{"event", "data"}`` frames on the broadcast
topic of that session; :mod:`hub.channels.widget_socket` forwards them to every socket that
confirmed the session, in Rasa's socket.io format (``bot_uttered``) plus the hub's own events
(``message_received``, ``typing``).
"""

from __future__ import annotations

from typing import Any

from hub.broadcast import Broadcast
from hub.channels.api import customer_topic
from hub.models import Conversation
from hub.schemas import MessageOut, Receipt

__all__ = ["WidgetChannel", "bot_uttered", "session_topic"]

CHANNEL = "widget"


def session_topic(session_id: str) -> str:
    """The broadcast topic a widget session's sockets listen on."""
    return customer_topic(CHANNEL, session_id)


def bot_uttered(message: MessageOut) -> dict[str, Any]:
    """An outgoing message as Rasa's ``bot_uttered`` payload, plus the hub's own fields.

    Rasa widgets read ``text`` and ``quick_replies``; the hub's widget also reads ``id``,
    ``in_reply_to_id``, ``sender_type``, ``sender_name`` (an agent's name, as the session's history
    has it) and ``created_at``.
    """
    payload: dict[str, Any] = {
        "text": message.text,
        "id": message.id,
        "conversation_id": message.conversation_id,
        "message_type": message.message_type,
        "sender_type": message.sender_type,
        "sender_name": message.sender_name,
        "in_reply_to_id": message.in_reply_to_id,
        "created_at": message.created_at.isoformat(),
    }
    if message.buttons:
        payload["quick_replies"] = [
            {"content_type": "text", "title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in message.buttons
        ]
    return payload


class WidgetChannel:
    name = CHANNEL

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def _emit(self, conversation: Conversation, event: str, data: dict[str, Any]) -> None:
        await self._broadcast.publish(session_topic(conversation.source_id), {"event": event, "data": data})

    async def send_text(
        self,
        conversation: Conversation,
        text: str,
        buttons: list[dict[str, str]],
        *,
        message: MessageOut,
    ) -> str | None:
        await self._emit(conversation, "bot_uttered", bot_uttered(message))
        return None

    async def send_receipt(self, conversation: Conversation, receipt: Receipt) -> None:
        await self._emit(conversation, "message_received", receipt.model_dump(mode="json"))

    async def send_typing(self, conversation: Conversation, on: bool) -> None:
        await self._emit(conversation, "typing", {"on": on, "conversation_id": conversation.id})
