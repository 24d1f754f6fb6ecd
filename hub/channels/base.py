"""The Channel interface: how the hub delivers to a customer on one channel.

Receiving is channel-specific too (each channel module parses its own payload into
``IncomingMessage`` and calls ``hub.intake.Receiver.receive``); delivery goes through this interface.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Conversation, Message
from hub.schemas import MessageOut, Receipt

__all__ = ["Channel", "StagesReceipts", "StagesReplies"]


@runtime_checkable
class Channel(Protocol):
    """Delivery to the customer. Implementations: hub.channels.api, .widget, .whatsapp."""

    name: str

    async def start(self) -> None:
        """Start background work (WhatsApp: resume its persisted outbox); most channels have none."""
        ...

    async def close(self) -> None:
        """Stop that work and release connections."""
        ...

    async def send_text(
        self,
        conversation: Conversation,
        text: str,
        buttons: list[dict[str, str]],
        *,
        message: MessageOut,
    ) -> str | None:
        """Deliver an outgoing/activity message; return the channel's message id if any."""
        ...

    async def send_receipt(self, conversation: Conversation, receipt: Receipt) -> None:
        """Tell the customer their message was stored (status "received")."""
        ...

    async def send_typing(self, conversation: Conversation, on: bool) -> None:
        """Show or hide "typing..." while the bot thinks."""
        ...


@runtime_checkable
class StagesReceipts(Protocol):
    """A channel whose receipt is a persisted row (WhatsApp's outbox): written in the transaction
    that stores the message, so receiving costs one commit; ``send_receipt`` then only sends it."""

    async def stage_receipt(
        self, session: AsyncSession, conversation: Conversation, message: Message
    ) -> None: ...


@runtime_checkable
class StagesReplies(Protocol):
    """A channel whose sends are persisted rows (WhatsApp's outbox): the bot's replies are written as rows
    in the transaction that stores the answer, so a crash right after that commit loses no send and a
    reply costs no transaction of its own; ``send_staged`` then only starts sending them."""

    async def stage_replies(
        self, session: AsyncSession, conversation: Conversation, messages: list[Message]
    ) -> None: ...

    async def send_staged(self, conversation: Conversation, *, message: MessageOut) -> None: ...
