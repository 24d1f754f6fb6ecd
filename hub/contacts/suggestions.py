"""Suggested links: a contact was given an email or phone that another contact holds.

A detail a customer types, or a page sends in ``identify``, proves nothing: anyone can type someone
else's WhatsApp number (issue 15, finding 2). So it never merges contacts; when another contact holds
it, a suggested link records the pair, the detail and whether the other contact's detail is proven.
Agents see the open ones in the conversation's context and confirm one (hub.contacts.merge.confirm:
the two are merged, recorded with the agent's id) or dismiss it. A pair is suggested once per detail
key: a dismissed link is not suggested again.

``ContactLink.state`` (owned here): open -> confirmed | dismissed; a merge of the two contacts, by
hand or by confirming, answers every open link between them.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bus import Database
from hub.contacts.details import Detail
from hub.contacts.identities import Holder
from hub.contacts.retry import retrying
from hub.errors import LinkAlreadyDecided, LinkNotFound
from hub.models import ContactLink, Event, utcnow

__all__ = ["LinkState", "deciding", "dismiss", "open_links", "settle", "suggest"]

log = logging.getLogger(__name__)

SUGGESTED = "contact_link_suggested"
DISMISSED = "contact_link_dismissed"


class LinkState(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


def _pair(a: int, b: int) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(ContactLink.contact_id == a, ContactLink.other_contact_id == b),
        sa.and_(ContactLink.contact_id == b, ContactLink.other_contact_id == a),
    )


async def suggest(
    session: AsyncSession, *, contact_id: int, holder: Holder, detail: Detail
) -> ContactLink | None:
    """Record that ``contact_id`` was given ``detail``, which ``holder`` has; None when this pair was
    already suggested for that key (open, confirmed or dismissed)."""
    known = await session.scalar(
        sa.select(ContactLink.id)
        .where(_pair(contact_id, holder.contact_id), ContactLink.key == detail.key)
        .limit(1)
    )
    if known is not None:
        return None
    link = ContactLink(
        contact_id=contact_id,
        other_contact_id=holder.contact_id,
        key=detail.key,
        value=detail.value,
        other_verified=holder.verified,
        state=LinkState.OPEN,
    )
    session.add(link)
    await session.flush()
    ids = {"link_id": link.id, "other_contact_id": holder.contact_id, "key": detail.key}
    session.add(Event(contact_id=contact_id, kind=SUGGESTED, data={**ids, "other_verified": holder.verified}))
    log.info("contact link suggested", extra={"contact_id": contact_id, **ids})  # ids: no detail logged
    return link


async def open_links(session: AsyncSession, *, contact_id: int) -> list[ContactLink]:
    """The open suggestions involving this contact, oldest first."""
    query = (
        sa.select(ContactLink)
        .where(
            sa.or_(ContactLink.contact_id == contact_id, ContactLink.other_contact_id == contact_id),
            ContactLink.state == LinkState.OPEN,
        )
        .order_by(ContactLink.id)
    )
    return list((await session.execute(query)).scalars())


async def deciding(session: AsyncSession, *, link_id: int, contact_id: int) -> ContactLink:
    """The open link ``link_id`` of ``contact_id``, locked; else 404 ``link_not_found`` / 409."""
    link = await session.get(ContactLink, link_id, with_for_update=True, populate_existing=True)
    if link is None or contact_id not in (link.contact_id, link.other_contact_id):
        raise LinkNotFound(link_id)
    if link.state != LinkState.OPEN:
        raise LinkAlreadyDecided(link_id, link.state)
    return link


async def dismiss(db: Database, *, link_id: int, contact_id: int, agent_id: int) -> ContactLink:
    """The agent says the two are not one person: the link is ``dismissed`` (kept, with the agent)."""

    async def work(session: AsyncSession) -> ContactLink:
        link = await deciding(session, link_id=link_id, contact_id=contact_id)
        link.state, link.agent_id, link.decided_at = LinkState.DISMISSED, agent_id, utcnow()
        session.add(Event(contact_id=link.contact_id, kind=DISMISSED, data={"link_id": link.id,
                                                                             "agent_id": agent_id}))
        await session.flush()
        return link

    return await retrying(db, work)


async def settle(session: AsyncSession, *, survivor_id: int, merged_id: int, agent_id: int | None) -> None:
    """In a merge: open links between the two are confirmed by it; the merged one's others move."""
    await session.execute(
        sa.update(ContactLink)
        .where(_pair(survivor_id, merged_id), ContactLink.state == LinkState.OPEN)
        .values(state=LinkState.CONFIRMED, agent_id=agent_id, decided_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    for column in (ContactLink.contact_id, ContactLink.other_contact_id):
        await session.execute(
            sa.update(ContactLink)
            .where(column == merged_id)
            .values({column.key: survivor_id})
            .execution_options(synchronize_session="fetch")
        )
