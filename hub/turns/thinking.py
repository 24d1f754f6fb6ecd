"""«Escribiendo…» while the bot thinks, only when it thinks long enough for a customer to wonder.

A turn answered within ``BOT_TYPING_AFTER`` seconds sends no typing frames at all: the receipt already
said the message arrived, and dots that flash for a tenth of a second tell nobody anything (and cost four
publishes per turn: on and off, on the conversation's topic and the customer's channel). A slower turn
shows them from then until its answer is delivered.
"""

from __future__ import annotations

import asyncio
import contextlib

from hub.delivery import Delivery
from hub.models import Conversation

__all__ = ["Thinking"]


class Thinking:
    """``async with Thinking(delivery, conversation, after=s):`` around the bot's turn."""

    def __init__(self, delivery: Delivery, conversation: Conversation, *, after: float) -> None:
        self._delivery = delivery
        self._conversation = conversation
        self._after = after
        self._task: asyncio.Task[None] | None = None
        self._shown = False

    async def _show(self) -> None:
        if self._after > 0:
            await asyncio.sleep(self._after)
        self._shown = True
        await self._delivery.publish_typing(conversation=self._conversation, on=True)

    async def __aenter__(self) -> Thinking:
        if self._after <= 0:
            await self._show()
        else:
            self._task = asyncio.create_task(self._show())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._shown:
            await self._delivery.publish_typing(conversation=self._conversation, on=False)
