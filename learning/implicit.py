"""Implicit signals, weaker evidence (strength ``implicit``), from what the customer did:

- picked option Y from a clarify (a ``/choose_faq`` button or "la segunda": the bot's answer says "chosen
  by the customer among the options"): the clarified question is answered by Y (``clarify_pick``);
- said none of a clarify's options fits and asked for a person (``clarify_none``);
- asked for a person right after an FAQ answer (``person_after_answer``: the answer did not do).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Handoff
from hub.bus import BusEvent, Database, EventBus, EventName
from hub.crud import conversations
from hub.crud import messages as messages_crud
from hub.models import Conversation, Message
from learning.models import Kind, Strength
from learning.record import kb_of, previous_query, signal, top

__all__ = ["PERSON_REASONS", "Implicit"]

#: Handoff reasons that mean the customer asked for a person themselves.
PERSON_REASONS = frozenset({"explicit_request"})

_CHOSEN = "chosen by the customer"


class Implicit:
    """Listeners of ``bot.answered`` (clarify picks) and ``handoff.requested`` (a person right after)."""

    def __init__(self, *, db: Database) -> None:
        self._db = db

    def subscribe(self, bus: EventBus) -> None:
        bus.subscribe(EventName.BOT_ANSWERED, self.answered)
        bus.subscribe(EventName.HANDOFF_REQUESTED, self.handoff_requested)

    async def _clarified_before(
        self, session: AsyncSession, conversation: Conversation, message: Message
    ) -> Message | None:
        previous = await previous_query(session, conversation_id=conversation.id, before_id=message.id)
        if previous is None or (kb_of(previous) or {}).get("decision") != "clarify":
            return None
        return previous

    async def answered(self, event: BusEvent) -> None:
        message_id = event.data.get("message_id")
        if event.conversation_id is None or not message_id:
            return
        if not str((event.data.get("kb") or {}).get("reason") or "").startswith(_CHOSEN):
            return  # most turns: no statement at all
        async with self._db.sessions.begin() as session:
            message = await messages_crud.get(session, message_id=int(message_id))
            kb = kb_of(message) if message is not None else None
            if message is None or kb is None or not str(kb.get("reason", "")).startswith(_CHOSEN):
                return
            picked = top(kb)[0]
            conversation = await conversations.get(session, conversation_id=event.conversation_id)
            if conversation is None or picked is None:
                return
            clarified = await self._clarified_before(session, conversation, message)
            if clarified is None:
                return
            session.add(
                signal(
                    kind=Kind.CLARIFY_PICK,
                    strength=Strength.IMPLICIT,
                    conversation=conversation,
                    query=clarified,
                    expected=picked,
                )
            )

    async def handoff_requested(self, event: BusEvent) -> None:
        if event.data.get("reason") not in PERSON_REASONS or event.conversation_id is None:
            return
        async with self._db.sessions.begin() as session:
            handoff = await session.get(Handoff, event.data.get("handoff_id"))
            if handoff is None or handoff.message_id is None:
                return
            conversation = await conversations.get(session, conversation_id=event.conversation_id)
            if conversation is None:
                return
            previous = await previous_query(
                session, conversation_id=conversation.id, before_id=handoff.message_id
            )
            decision = (kb_of(previous) or {}).get("decision") if previous is not None else None
            if previous is None or decision not in ("answer", "clarify"):
                return
            kind = Kind.PERSON_AFTER_ANSWER if decision == "answer" else Kind.CLARIFY_NONE
            session.add(
                signal(kind=kind, strength=Strength.IMPLICIT, conversation=conversation, query=previous)
            )
