"""The channel-neutral ``api`` channel: delivery is a websocket broadcast per customer.

Customers of this channel listen on ``WS /api/v1/channels/api/ws?source_id=...`` (all their
conversations, subscribed before the first message) and/or on the conversation websocket.
"""

from __future__ import annotations

from hub.broadcast import Broadcast
from hub.models import Conversation
from hub.schemas import MessageOut, Receipt

__all__ = ["ApiChannel", "customer_topic"]


def customer_topic(channel: str, source_id: str) -> str:
    return f"customer:{channel}:{source_id}"


class ApiChannel:
    name = "api"

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast

    def _topic(self, conversation: Conversation) -> str:
        return customer_topic(self.name, conversation.source_id)

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
