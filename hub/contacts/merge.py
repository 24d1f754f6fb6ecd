"""Two contacts found to be one person become the older one; only an agent says so.

An agent merges by hand (``POST /api/v1/agent/contacts/{id}/merge``) or confirms a suggested link
(hub.contacts.suggestions); a typed or ``identify`` detail never merges by itself (issue 15,
finding 2). The older contact survives: identities, conversations (with their handoffs), messages,
contact events and suggested links move to it; it keeps its own details and takes the merged one's
where it had none, or where its own is only typed and the merged one's is proven; the merged row is
deleted; event ``contact_merged`` (``contact_id`` = the survivor) records both ids, the key, the agent
and what the merged contact was, and ``contact.merged`` is published on the bus.

Concurrency: a merge locks both contact rows and the merged one's conversations and messages
``FOR UPDATE NOWAIT`` (PostgreSQL; SQLite's write lock is taken at BEGIN): it never waits holding
locks, so it never deadlocks the message path; a busy row makes it fail at once and it is retried
(hub.contacts.retry). Bot/agent messages take their contact from the conversation row at insert time
(hub.crud.messages), waiting for a merge in flight. A customer message stored concurrently for the
contact being deleted fails its foreign key and is retried by intake against the moved identity.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hub.bus import Database, EventName, emit
from hub.contacts import suggestions
from hub.contacts.retry import retrying
from hub.errors import ContactNotFound, MergeWithItself
from hub.models import Contact, ContactIdentity, Conversation, Event, Message

__all__ = ["CONTACT_MERGED", "confirm", "merge", "merge_by_agent"]

log = logging.getLogger(__name__)

CONTACT_MERGED = "contact_merged"
_MOVED: tuple[tuple[str, Any], ...] = (
    ("identities", ContactIdentity),
    ("conversations", Conversation),
    ("events", Event),
    ("messages", Message),
)


async def _lock(session: AsyncSession, ids: list[int]) -> dict[int, Contact]:
    """The contacts with these ids (the missing ones absent), locked for update in id order."""
    query = (
        sa.select(Contact)
        .where(Contact.id.in_(ids))
        .order_by(Contact.id)
        .with_for_update(nowait=True)
        .execution_options(populate_existing=True)
    )
    return {c.id: c for c in (await session.execute(query)).scalars()}


async def merge(
    session: AsyncSession,
    *,
    contact_id: int,
    other_contact_id: int,
    agent_id: int | None = None,
    key: str = "manual",
    value: str | None = None,
    link_id: int | None = None,
) -> Contact:
    """Merge the newer of the two contacts into the older, which is returned.

    ``key``: ``manual`` (an agent merged by hand) or the ``email``/``phone`` of the suggested link
    ``link_id`` an agent confirmed. Raises :class:`MergeWithItself` and :class:`ContactNotFound`.
    Every row the merge changes is locked first with ``NOWAIT`` (PostgreSQL): a busy row fails the
    merge at once and the caller retries it.
    """
    if contact_id == other_contact_id:
        raise MergeWithItself(contact_id)
    locked = await _lock(session, [contact_id, other_contact_id])
    for wanted in (contact_id, other_contact_id):
        if wanted not in locked:
            raise ContactNotFound(wanted)
    survivor, merged = sorted(locked.values(), key=lambda c: (c.created_at, c.id))
    for model in (Conversation, Message):
        await session.execute(
            sa.select(model.id)
            .where(model.contact_id == merged.id)
            .order_by(model.id)
            .with_for_update(nowait=True)
        )
    await _rename_clashing_client_ids(session, survivor_id=survivor.id, merged_id=merged.id)
    moved: dict[str, int] = {}
    for label, model in _MOVED:
        result = await session.execute(
            sa.update(model)
            .where(model.contact_id == merged.id)
            .values(contact_id=survivor.id)
            .execution_options(synchronize_session="fetch")
        )
        moved[label] = result.rowcount  # type: ignore[attr-defined]
    await suggestions.settle(session, survivor_id=survivor.id, merged_id=merged.id, agent_id=agent_id)
    was: dict[str, Any] = {
        "name": merged.name,
        "email": merged.email,
        "email_verified": merged.email_verified,
        "phone": merged.phone,
        "phone_verified": merged.phone_verified,
        "created_at": merged.created_at.isoformat(),
    }
    data: dict[str, Any] = {
        "surviving_contact_id": survivor.id,
        "merged_contact_id": merged.id,
        "key": key,
        "value": value,
        "merged_contact": was,
        "moved": moved,
    }
    for extra, given in (("agent_id", agent_id), ("link_id", link_id)):
        if given is not None:
            data[extra] = given
    await session.delete(merged)
    await session.flush()
    _take_details(survivor, was)
    session.add(Event(contact_id=survivor.id, kind=CONTACT_MERGED, data=data))
    await session.flush()
    named = ("surviving_contact_id", "merged_contact_id", "key", "agent_id", "link_id")
    ids: dict[str, Any] = {k: data[k] for k in named if k in data}
    emit(session, EventName.CONTACT_MERGED, **ids)
    # ids only: the matched phone or email and the merged contact's details stay in the event
    log.info("contacts merged", extra=ids)
    return survivor


def _take_details(survivor: Contact, was: dict[str, Any]) -> None:
    """The survivor keeps its details; it takes the merged one's where it had none, and a proven
    one over its own typed one (the same value becomes proven)."""
    for key in ("email", "phone"):
        theirs, proven = was[key], was[f"{key}_verified"]
        ours, ours_proven = getattr(survivor, key), getattr(survivor, f"{key}_verified")
        if theirs is None:
            continue
        if ours is None or ours == theirs or (proven and not ours_proven):
            setattr(survivor, key, theirs)
            setattr(survivor, f"{key}_verified", bool(proven or (ours == theirs and ours_proven)))
    if survivor.name is None and was["name"] is not None:
        survivor.name = was["name"]


async def _rename_clashing_client_ids(session: AsyncSession, *, survivor_id: int, merged_id: int) -> None:
    """Messages are unique per (channel, contact, client message id): a merged contact's message
    whose client id the survivor also used on that channel keeps a prefixed id."""
    theirs = aliased(Message)
    clashing = (
        await session.execute(
            sa.select(Message).where(
                Message.contact_id == merged_id,
                Message.client_message_id.is_not(None),
                sa.exists().where(
                    theirs.contact_id == survivor_id,
                    theirs.channel == Message.channel,
                    theirs.client_message_id == Message.client_message_id,
                ),
            )
        )
    ).scalars()
    for message in clashing:
        message.client_message_id = f"merged-{merged_id}:{message.client_message_id}"[:200]
    await session.flush()


async def merge_by_agent(db: Database, *, contact_id: int, other_contact_id: int, agent_id: int) -> int:
    """:func:`merge` by hand in its own transaction, retried while the rows are busy; the survivor's id."""

    async def work(session: AsyncSession) -> int:
        survivor = await merge(
            session, contact_id=contact_id, other_contact_id=other_contact_id, agent_id=agent_id
        )
        return survivor.id

    return await retrying(db, work)


async def confirm(db: Database, *, link_id: int, contact_id: int, agent_id: int) -> int:
    """An agent confirms a suggested link of ``contact_id`` (the conversation's contact): the two
    contacts are merged, the link is ``confirmed`` with the agent's id; the survivor's id.
    404 ``link_not_found`` (not this contact's), 409 ``link_already_decided``."""

    async def work(session: AsyncSession) -> int:
        link = await suggestions.deciding(session, link_id=link_id, contact_id=contact_id)
        survivor = await merge(
            session,
            contact_id=link.contact_id,
            other_contact_id=link.other_contact_id,
            agent_id=agent_id,
            key=link.key,
            value=link.value,
            link_id=link.id,
        )
        return survivor.id

    return await retrying(db, work)
