"""Who a contact is on each channel, and who holds an email or phone.

An identity ``(channel, source_id)`` points to one contact; every identity today is proven by its
channel (``contact_identities.verified``). A detail (email, phone) is held by the contacts that have
it, proven (``*_verified``: a WhatsApp number) or only typed; a phone is also held by the contact
that writes from it on WhatsApp, even if its ``phone`` is another number.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Contact, ContactIdentity

__all__ = ["Holder", "get_by_identity", "get_or_create_by_identity", "holder"]


class Holder(NamedTuple):
    contact_id: int
    verified: bool  # that contact's detail is proven by its channel


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


_VALUE: sa.BindParameter[str] = sa.bindparam("value")
_BESIDES: sa.BindParameter[int] = sa.bindparam("besides")
_HOLDER: dict[str, sa.Executable] = {
    "email": sa.select(Contact.id, Contact.email_verified.label("verified"))
    .where(Contact.email == _VALUE, Contact.id != _BESIDES)
    .order_by(sa.desc("verified"), Contact.id)
    .limit(1),
    # Whoever writes from the number on WhatsApp (proven), else whoever has it.
    "phone": sa.union_all(
        sa.select(ContactIdentity.contact_id.label("id"), sa.true().label("verified")).where(
            ContactIdentity.channel == "whatsapp",
            ContactIdentity.source_id == _VALUE,
            ContactIdentity.contact_id != _BESIDES,
        ),
        sa.select(Contact.id, Contact.phone_verified).where(Contact.phone == _VALUE, Contact.id != _BESIDES),
    )
    .order_by(sa.desc("verified"), "id")
    .limit(1),
}


async def holder(session: AsyncSession, *, key: str, value: str, besides: int) -> Holder | None:
    """Another contact than ``besides`` that holds this email or phone, a proven holder first.
    One indexed statement: intake asks it for every first message from WhatsApp."""
    connection = await session.connection()
    row = (await connection.execute(_HOLDER[key], {"value": value, "besides": besides})).first()
    return None if row is None else Holder(int(row[0]), bool(row[1]))
