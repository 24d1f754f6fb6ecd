"""A signal row from the customer's query: who, when, the text, the language and the bot's decision with
its scores (``messages.context["kb"]``, the action server's ``{"decision", "reason", "candidates"}``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Conversation, Message
from learning.models import Kind, Signal, Strength

__all__ = ["kb_of", "previous_query", "signal", "top"]


def kb_of(message: Message) -> dict[str, Any] | None:
    """The knowledge base's decision stored on a customer message, if the bot asked it."""
    kb = (message.context or {}).get("kb")
    return kb if isinstance(kb, dict) else None


def top(kb: dict[str, Any] | None) -> tuple[str | None, float | None, float | None]:
    """(first candidate's id, its score, the runner-up's score)."""
    candidates = [c for c in (kb or {}).get("candidates") or [] if isinstance(c, dict)]
    scores = [float(c["score"]) for c in candidates if isinstance(c.get("score"), int | float)]
    first = str(candidates[0]["id"]) if candidates and candidates[0].get("id") is not None else None
    return first, (scores[0] if scores else None), (scores[1] if len(scores) > 1 else None)


def signal(
    *,
    kind: Kind,
    strength: Strength,
    conversation: Conversation,
    query: Message,
    expected: str | None = None,
    agent_id: int | None = None,
) -> Signal:
    """The row for a signal about ``query`` (not added to a session)."""
    kb = kb_of(query)
    entry_id, score, _ = top(kb)
    decision = (kb or {}).get("decision")
    return Signal(
        kind=kind,
        strength=strength,
        conversation_id=conversation.id,
        message_id=query.id,
        contact_id=None if agent_id is not None else conversation.contact_id,
        agent_id=agent_id,
        text=query.text,
        language=query.language or conversation.language,
        decision=str(decision) if decision is not None else None,
        entry_id=entry_id,
        score=score,
        kb=kb,
        expected=expected,
    )


async def previous_query(session: AsyncSession, *, conversation_id: int, before_id: int) -> Message | None:
    """The customer's message just before ``before_id`` in the conversation."""
    query = (
        sa.select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.message_type == "incoming",
            Message.id < before_id,
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
