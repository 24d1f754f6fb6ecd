"""Contacts and their per-channel identities."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Contact, ContactIdentity

__all__ = ["get_by_identity", "get_or_create_by_identity"]


async def get_by_identity(session: AsyncSession, *, channel: str, source_id: str) -> Contact | None:
    query = (
        sa.select(Contact)
        .join(ContactIdentity, ContactIdentity.contact_id == Contact.id)
        .where(ContactIdentity.channel == channel, ContactIdentity.source_id == source_id)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_or_create_by_identity(session: AsyncSession, *, channel: str, source_id: str) -> Contact:
    """The contact behind (channel, source_id), created with that identity if new.

    A concurrent creation surfaces as IntegrityError at flush; the caller retries.
    """
    contact = await get_by_identity(session, channel=channel, source_id=source_id)
    if contact is not None:
        return contact
    contact = Contact()
    session.add(contact)
    await session.flush()
    session.add(ContactIdentity(contact_id=contact.id, channel=channel, source_id=source_id))
    await session.flush()
    return contact
