"""The unanswered customer questions of a period, read from the hub's messages and the learning signals:

- ``handoff``: the knowledge base found no answer good enough and handed off (``messages.context["kb"]``
  decision ``handoff``; not when the KB itself was unavailable: that is an outage, not a gap);
- ``clarify_none``: the bot asked which of some entries was meant and the customer said none;
- ``not_helpful``: the customer said the answer did not help ("¿Te ha servido?" -> No);
- ``no_faq``: an agent labelled the question "no FAQ covers this".

A question an agent labelled "FAQ X answers this" or "not a question" is no gap (the first is the learning
run's work). With each question comes the first agent message that followed it in its conversation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gaps.models import Handled
from hub.models import Conversation, Message
from learning.models import Kind, Signal

__all__ = ["WHY", "Question", "unanswered"]

#: Why a question is a gap, in the order one is picked when several apply.
WHY = ("no_faq", "not_helpful", "clarify_none", "handoff")
_SIGNAL_KINDS = (Kind.NO_FAQ, Kind.NOT_HELPFUL, Kind.CLARIFY_NONE)
_NOT_A_GAP = (Kind.FAQ, Kind.NOT_QUESTION)
_KB_OUTAGE = "knowledge base unavailable"


@dataclass
class Question:
    message_id: int
    conversation_id: int
    text: str
    lang: str
    created_at: datetime
    why: str
    reply: str | None = None  # the agent's first message after it
    handled: Handled | None = None


def _kb_decision(dialect: str) -> sa.ColumnElement[str]:
    context = Message.context
    if dialect == "postgresql":
        return context["kb"]["decision"].as_string()
    return context[("kb", "decision")].as_string()


def _kb_reason(dialect: str) -> sa.ColumnElement[str]:
    context = Message.context
    if dialect == "postgresql":
        return context["kb"]["reason"].as_string()
    return context[("kb", "reason")].as_string()


async def unanswered(session: AsyncSession, *, since: datetime, limit: int) -> list[Question]:
    """The newest ``limit`` unanswered questions since ``since``, oldest first."""
    dialect = session.get_bind().dialect.name
    language = sa.func.coalesce(Message.language, Conversation.language)
    columns = (Message.id, Message.conversation_id, Message.text, language, Message.created_at)
    handed_off = (
        sa.select(*columns, sa.literal("handoff"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Message.message_type == "incoming",
            Message.created_at >= since,
            _kb_decision(dialect) == "handoff",
            sa.func.coalesce(_kb_reason(dialect), "").not_like(f"{_KB_OUTAGE}%"),
        )
    )
    signalled = (
        sa.select(*columns, Signal.kind)
        .join(Message, Message.id == Signal.message_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Signal.kind.in_(_SIGNAL_KINDS), Message.created_at >= since)
    )
    not_gaps = sa.select(Signal.message_id).where(Signal.kind.in_(_NOT_A_GAP))
    found: dict[int, Question] = {}
    for query in (handed_off, signalled):
        for mid, cid, text, lang, at, why in (await session.execute(query)).all():
            q = found.get(mid)
            if q is None:
                found[mid] = Question(mid, cid, text, lang or "es", at, why)
            elif WHY.index(why) < WHY.index(q.why):
                q.why = why
    excluded: set[int] = set()
    ids = list(found)
    for lo in range(0, len(ids), 500):
        batch = not_gaps.where(Signal.message_id.in_(ids[lo : lo + 500]))
        excluded.update((await session.scalars(batch)).all())
    questions = sorted(
        (q for q in found.values() if q.message_id not in excluded and q.text.strip()),
        key=lambda q: q.message_id,
    )[-limit:]
    await _replies(session, questions)
    await _handled(session, questions)
    return questions


async def _replies(session: AsyncSession, questions: Sequence[Question]) -> None:
    by_conversation: dict[int, list[Question]] = {}
    for q in questions:
        by_conversation.setdefault(q.conversation_id, []).append(q)
    ids = list(by_conversation)
    for lo in range(0, len(ids), 500):
        rows = await session.execute(
            sa.select(Message.conversation_id, Message.id, Message.text)
            .where(
                Message.conversation_id.in_(ids[lo : lo + 500]),
                Message.message_type == "outgoing",
                Message.sender_type == "agent",
            )
            .order_by(Message.id)
        )
        replies: dict[int, list[tuple[int, str]]] = {}
        for cid, mid, text in rows.all():
            replies.setdefault(cid, []).append((mid, text))
        for cid, mine in replies.items():
            for q in by_conversation[cid]:
                q.reply = next((text for mid, text in mine if mid > q.message_id and text.strip()), None)


async def _handled(session: AsyncSession, questions: Sequence[Question]) -> None:
    ids = [q.message_id for q in questions]
    rows: dict[int, Handled] = {}
    for lo in range(0, len(ids), 500):
        found = await session.scalars(sa.select(Handled).where(Handled.message_id.in_(ids[lo : lo + 500])))
        rows.update((h.message_id, h) for h in found)
    for q in questions:
        q.handled = rows.get(q.message_id)
