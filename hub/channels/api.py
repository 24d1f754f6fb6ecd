"""The channel-neutral ``api`` channel: delivery is a websocket broadcast per customer.

Customers of this channel listen on ``WS /api/v1/channels/api/ws?source_id=...`` (all their
conversations, subscribed before the first message) and/or on the conversation websocket
(``?source_id=...``). The ``source_id`` is the customer's pseudo-secret: whoever knows it is them.
"""

from __future__ import annotations

import hmac

from hub.broadcast import Broadcast
from hub.models import Conversation
from hub.schemas import MessageOut, Receipt

__all__ = ["ApiChannel", "customer_topic", "is_customer"]

NAME = "api"


def customer_topic(channel: str, source_id: str) -> str:
    return f"customer:{channel}:{source_id}"


def is_customer(conversation: Conversation, source_id: str) -> bool:
    """Whether ``source_id`` is the customer of this api-channel conversation (never for other channels)."""
    return conversation.channel == NAME and hmac.compare_digest(
        conversation.source_id.encode(), source_id.encode()
    )


class ApiChannel:
    name = NAME

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast

    def _topic(self, conversation: Conversation) -> str:
        return customer_topic(self.name, conversation.source_id)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send_text(
        self,
        conversation: Conversation,
        text: str,
        buttons: list[dict[str, str]],
        *,
        message: MessageOut,
    ) -> str | None:
        frame = {"type": "message", "message": message.model_dump(mode="json")}
        await self._broadcast.publish(self._topic(conversation), frame)
        return None

    async def send_receipt(self, conversation: Conversation, receipt: Receipt) -> None:
        frame = {"type": "receipt", "receipt": receipt.model_dump(mode="json")}
        await self._broadcast.publish(self._topic(conversation), frame)

    async def send_typing(self, conversation: Conversation, on: bool) -> None:
        frame = {"type": "typing", "on": on, "conversation_id": conversation.id}
        await self._broadcast.publish(self._topic(conversation), frame)
