"""Follow-ups: a bad rating (CSAT 1-2, NPS 0-6) becomes an item for supervisors, with its conversation."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import events
from hub.models import utcnow
from surveys.models import CSAT, FollowUp, Survey

__all__ = ["create_if_bad", "is_bad", "list_items", "mark_done"]

#: The highest score that still needs a follow-up, per kind (CSAT 1-5, NPS 0-10: detractors 0-6).
BAD_UP_TO = {CSAT: 2, "nps": 6}


def is_bad(kind: str, score: int) -> bool:
    return score <= BAD_UP_TO[kind]


async def create_if_bad(session: AsyncSession, *, survey: Survey) -> FollowUp | None:
    """The follow-up of an answered survey whose score is bad (and the event ``follow_up_created``)."""
    if survey.score is None or not is_bad(survey.kind, survey.score):
        return None
    item = FollowUp(
        conversation_id=survey.conversation_id,
        contact_id=survey.contact_id,
        survey_id=survey.id,
        kind=survey.kind,
        score=survey.score,
        comment=survey.comment,
    )
    session.add(item)
    await session.flush()
    await events.record(
        session,
        conversation_id=survey.conversation_id,
        kind="follow_up_created",
        data={"kind": survey.kind, "score": survey.score, "follow_up_id": item.id},
    )
    return item


async def list_items(session: AsyncSession, *, done: bool | None, limit: int) -> list[FollowUp]:
    """Open ones (``done=False``), done ones, or all (None); newest first."""
    query = sa.select(FollowUp).order_by(FollowUp.id.desc()).limit(limit)
    if done is not None:
        query = query.where(FollowUp.done_at.is_not(None) if done else FollowUp.done_at.is_(None))
    return list((await session.execute(query)).scalars())


async def mark_done(session: AsyncSession, *, follow_up_id: int) -> FollowUp | None:
    item = await session.get(FollowUp, follow_up_id)
    if item is not None and item.done_at is None:
        item.done_at = utcnow()
        await events.record(
            session,
            conversation_id=item.conversation_id,
            kind="follow_up_done",
            data={"follow_up_id": item.id},
        )
    return item
