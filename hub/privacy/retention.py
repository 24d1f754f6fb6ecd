"""RETENTION_DAYS: erase what nobody has touched for that long (the worker runs :func:`run`).

A conversation is erased whole (messages, events and notes, handoffs, outbox rows, its Rasa tracker)
when its last message (or, without messages, its creation) is older than the cutoff and no person is
handling it (status not ``open``: a waiting or assigned handoff is kept, and abandoned after
HANDOFF_ABANDON_AFTER anyway). A contact whose conversations are all erased, and that was created
before the cutoff, is erased with them (identities, email, phone, name, contact events). A returning
customer thus keeps their recent conversations; only stale ones go. Each contact's erasure leaves an
``erasures`` row with reason ``retention``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import periodic
from hub.models import Contact, Conversation, Message, utcnow
from hub.privacy.erasure import ErasureBusy, erase_conversations
from hub.settings import Settings
from hub.status import ConversationStatus

__all__ = ["INTERVAL_SECONDS", "run", "sweep"]

log = logging.getLogger(__name__)

#: how often the worker looks for stale conversations
INTERVAL_SECONDS = 3600.0
_BATCH = 200


async def _stale(sessions: async_sessionmaker[AsyncSession], cutoff: datetime) -> dict[int, list[int]]:
    """Stale conversations (up to a batch), by contact."""
    last = (
        sa.select(sa.func.max(Message.created_at))
        .where(Message.conversation_id == Conversation.id)
        .scalar_subquery()
    )
    query = (
        sa.select(Conversation.contact_id, Conversation.id)
        .where(
            Conversation.status != ConversationStatus.OPEN,
            sa.func.coalesce(last, Conversation.created_at) < cutoff,
        )
        .order_by(Conversation.id)
        .limit(_BATCH)
    )
    lonely = (
        sa.select(Contact.id)
        .where(
            Contact.created_at < cutoff,
            ~sa.exists().where(Conversation.contact_id == Contact.id),
        )
        .limit(_BATCH)
    )
    by_contact: dict[int, list[int]] = defaultdict(list)
    async with sessions() as session:
        for contact_id, conversation_id in (await session.execute(query)).all():
            by_contact[contact_id].append(conversation_id)
        for contact_id in (await session.scalars(lonely)).all():
            by_contact.setdefault(contact_id, [])
    return by_contact


async def _whole_contact(
    sessions: async_sessionmaker[AsyncSession], contact_id: int, stale: list[int], cutoff: datetime) -> bool:
    async with sessions() as session:
        contact = await session.get(Contact, contact_id)
        if contact is None or contact.created_at >= cutoff:
            return False
        others = await session.scalar(
            sa.select(sa.func.count(Conversation.id)).where(
                Conversation.contact_id == contact_id, Conversation.id.not_in(stale or [0])
            )
        )
    return not others


async def sweep(
    *, sessions: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None = None
) -> int:
    """Erase what is older than RETENTION_DAYS (0: nothing); the number of conversations erased."""
    days = settings.retention_days
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    erased = 0
    while True:
        batch = await _stale(sessions, cutoff)
        done = 0
        for contact_id, conversation_ids in batch.items():
            whole = await _whole_contact(sessions, contact_id, conversation_ids, cutoff)
            if not whole and not conversation_ids:
                continue
            try:
                erasure = await erase_conversations(
                    sessions=sessions,
                    settings=settings,
                    contact_id=contact_id,
                    conversation_ids=conversation_ids,
                    with_contact=whole,
                    reason="retention",
                )
            except ErasureBusy:  # written to right now, so not stale after all: next sweep
                log.info("retention: contact in use, next sweep", extra={"contact_id": contact_id})
                continue
            if erasure is not None:
                done += 1
                erased += len(conversation_ids)
        if not done:
            break
    if erased:
        log.info("retention: stale conversations erased", extra={"conversations": erased, "days": days})
    return erased


async def run(*, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Every hour, :func:`sweep` (until cancelled); a failure is logged and retried next time."""
    await periodic.every(
        INTERVAL_SECONDS, lambda: sweep(sessions=sessions, settings=settings), what="retention sweep"
    )
