"""Where the hub lets other packages in: the contracts, and what the hub does when nobody plugged in.

The hub is the conversation core and imports nothing of ``handoff``; the composition root
(``mostrador/wiring.py``) gives it, through :class:`Seams` (built once with the hub's resources):

- a :class:`TurnPolicy`: in the turn's transaction, "should this turn go to a person, and why"
  (:meth:`TurnPolicy.decide`) and the handoff itself (:meth:`TurnPolicy.hand_off`);
- an :class:`AgentDirectory`: whether a bearer token is a logged-in agent's (who may read any conversation);
- a :class:`HandoffView`: the latest handoff of a conversation, for ``GET /conversations/{id}``;
- an :class:`Intercept`: a customer message that came back to a resolved conversation, taken before
  the hub reopens it and asks the bot (the surveys package: a rating is not a question for Rasa);
  ``bot_intercept``, the same contract for a message to a conversation the bot owns, before the bot reads
  it (the learning package: the customer's answer to "¿Te ha servido?");
- background tasks run by the worker (the abandonment sweep).

Effects after a commit do not go through here: listeners subscribe to the event bus (``hub/bus.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from hub.models import Conversation, Message
    from hub.schemas import HandoffOut
    from hub.status import StatusChange

__all__ = [
    "PRIORITIES",
    "AgentDirectory",
    "BotIntercept",
    "Decision",
    "HandoffView",
    "Intercept",
    "Seams",
    "TurnPolicy",
]

PRIORITIES = {"low": 0, "normal": 1, "high": 2}


@dataclass(frozen=True)
class Decision:
    """Hand the conversation to humans: why (``reason``), how urgently, evidence in ``detail``."""

    reason: str
    priority: int = 1
    detail: dict[str, Any] = field(default_factory=dict)
    skill: str | None = None
    #: The bot's replies of this turn are not shown: the handoff's own message replaces them (the bot's
    #: "te paso con una persona" said once, truthfully; no FAQ answer repeated to a shouting customer).
    replaces_bot_replies: bool = False

    @property
    def priority_name(self) -> str:
        return {v: k for k, v in PRIORITIES.items()}.get(self.priority, "normal")


class TurnPolicy(Protocol):
    """Called by the bot turn inside its transaction."""

    async def decide(
        self,
        session: AsyncSession,
        *,
        conversation: Conversation,
        message: Message,
        bot_handoff: dict[str, Any] | None,
    ) -> Decision | None:
        """The decision on this customer turn (None: the bot keeps the conversation)."""
        ...

    async def hand_off(
        self,
        session: AsyncSession,
        *,
        conversation: Conversation,
        decision: Decision,
        message_id: int | None,
        announced: bool = False,
    ) -> StatusChange:
        """Stage the handoff; the returned messages are delivered after the commit."""
        ...


class AgentDirectory(Protocol):
    async def is_agent(self, session: AsyncSession, *, token: str) -> bool: ...

    async def may_read(self, session: AsyncSession, *, token: str, conversation_id: int) -> bool:
        """Whether the agent of this (valid) token may read this conversation's messages and stream."""
        ...

    def logout_watch(self, token: str) -> tuple[str, str] | None:
        """(broadcast topic, key): a frame ``{"session": key}`` there means this login ended,
        so sockets opened with ``token`` close; None when logins cannot end early."""
        ...

    async def is_supervisor(self, session: AsyncSession, *, token: str) -> bool:
        """Whether the token logs in an agent who supervises (sees every conversation, follow-ups)."""
        ...


class HandoffView(Protocol):
    async def latest(self, session: AsyncSession, *, conversation_id: int) -> HandoffOut | None: ...


class Intercept(Protocol):
    """Called by the drain (hub/turns/drain.py) in a transaction, for a customer message stored in a
    resolved conversation (within REOPEN_WINDOW_HOURS), before the hub reopens it for the bot."""

    async def take(
        self, session: AsyncSession, *, conversation: Conversation, message: Message
    ) -> list[Message] | None:
        """Take the message: store what answers it and return those messages (delivered after the
        commit; the conversation stays resolved, the message is done). None: the hub reopens the
        conversation and the bot answers the message."""
        ...


class BotIntercept(Intercept, Protocol):
    """An :class:`Intercept` for messages to a conversation the bot owns (hub/turns/drain.py): asked first,
    read-only, in the drain's read of the message, whether it waits for the customer's next message, so
    ``take`` gets a transaction of its own only then (every customer message passes here). One that
    raises is logged and the bot answers."""

    async def waiting(self, session: AsyncSession, *, conversation_id: int) -> bool: ...


#: Without the handoff package nobody answers an open conversation's queue: the hub says only this.
_BOT_ONLY_HANDOFF = {
    "es": "Nuestro asistente no puede responder ahora mismo; te responderemos en cuanto sea posible.",
    "en": "Our assistant cannot answer right now; we will reply as soon as we can.",
}


class BotOnly:
    """No handoff package: the bot keeps every conversation; nobody logs in as an agent."""

    async def decide(
        self,
        session: AsyncSession,
        *,
        conversation: Conversation,
        message: Message,
        bot_handoff: dict[str, Any] | None,
    ) -> Decision | None:
        return None

    async def hand_off(
        self,
        session: AsyncSession,
        *,
        conversation: Conversation,
        decision: Decision,
        message_id: int | None,
        announced: bool = False,
    ) -> StatusChange:
        from hub import status

        text = _BOT_ONLY_HANDOFF.get(conversation.language, _BOT_ONLY_HANDOFF["es"])
        return await status.open_for_people(
            session, conversation=conversation, reason=decision.reason, text=text
        )

    async def is_agent(self, session: AsyncSession, *, token: str) -> bool:
        return False

    async def may_read(self, session: AsyncSession, *, token: str, conversation_id: int) -> bool:
        return False

    def logout_watch(self, token: str) -> tuple[str, str] | None:
        return None

    async def is_supervisor(self, session: AsyncSession, *, token: str) -> bool:
        return False

    async def take(
        self, session: AsyncSession, *, conversation: Conversation, message: Message
    ) -> list[Message] | None:
        return None

    async def latest(self, session: AsyncSession, *, conversation_id: int) -> HandoffOut | None:
        return None

    async def waiting(self, session: AsyncSession, *, conversation_id: int) -> bool:
        return False


@dataclass
class Seams:
    policy: TurnPolicy = field(default_factory=BotOnly)
    agents: AgentDirectory = field(default_factory=BotOnly)
    handoffs: HandoffView = field(default_factory=BotOnly)
    intercept: Intercept = field(default_factory=BotOnly)
    #: Offered a customer message of a conversation the bot owns before the bot reads it (learning/).
    bot_intercept: BotIntercept = field(default_factory=BotOnly)
    #: Background tasks the worker runs next to the bot turns (each loops until cancelled; the plug-in
    #: binds its dependencies when it installs them).
    tasks: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = field(default_factory=list)
