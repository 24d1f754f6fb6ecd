"""The one owner of ``Message.bot_state``: what the bot does with a customer message.

queued (waiting for the bot) -> done (answered) | failed (Rasa kept rejecting it) | skipped (people own
the conversation, or the bot cannot read it, e.g. an image); a message the bot cannot read is stored
``skipped`` at once. The database is the source of truth: queued messages are re-enqueued at start.
"""

from __future__ import annotations

from enum import StrEnum

from hub.models import Message

__all__ = [
    "DONE",
    "FAILED",
    "QUEUED",
    "SKIPPED",
    "TRANSITIONS",
    "BotState",
    "InvalidBotState",
    "initial",
    "move",
]


class BotState(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


QUEUED, DONE, FAILED, SKIPPED = BotState.QUEUED, BotState.DONE, BotState.FAILED, BotState.SKIPPED

TRANSITIONS: frozenset[tuple[BotState, BotState]] = frozenset(
    {(QUEUED, DONE), (QUEUED, FAILED), (QUEUED, SKIPPED)}
)


class InvalidBotState(Exception):
    """A bot_state change its current state does not allow."""


def initial(*, bot_owns_conversation: bool, readable: bool) -> BotState:
    """A new customer message waits for the bot only if the bot owns the conversation and can read it."""
    return QUEUED if bot_owns_conversation and readable else SKIPPED


def move(message: Message, to: BotState) -> None:
    if message.bot_state is None or (BotState(message.bot_state), to) not in TRANSITIONS:
        raise InvalidBotState(f"message {message.id} cannot go from {message.bot_state} to {to}")
    message.bot_state = to
