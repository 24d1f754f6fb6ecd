"""One contact per person: set a contact's email/phone/name and merge contacts found to be one.

Like chatwoot: a contact has ``email`` and ``phone`` attributes (normalised, unique), its
identities ``(channel, source_id)`` point to it. When a contact is given an email or phone that
another contact already has, the two are merged: the older contact survives; identities,
conversations (with their handoffs), messages and contact events move to it; it keeps its own
attributes and takes the merged one's where it had none; the merged contact row is deleted and
an event ``contact_merged`` (``contact_id`` = the survivor) records both ids, the matching key and
what the merged contact was.

Concurrency: a merge locks both contact rows and the merged one's conversations and messages
``FOR UPDATE NOWAIT`` (PostgreSQL; SQLite's write lock is taken at BEGIN): it never waits holding
locks, so it never deadlocks the message path; a busy row makes it fail at once and it is retried
with a short random backoff. Bot/agent messages take
their contact from the conversation row at insert time (hub.crud.messages), waiting for a merge in
flight. A customer message stored concurrently for the contact being deleted fails its foreign key
and is retried by intake against the moved identity. Two contacts given the same
email at once: the unique index refuses the second; :func:`identify_identity` and :func:`learn`
retry, then find the first and merge.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from hub.contact_details import ContactDetails, normalize_email, normalize_phone
from hub.crud import contacts as contacts_crud
from hub.errors import ContactNotFound, InvalidContactDetail, MergeWithItself
from hub.models import Contact, ContactIdentity, Conversation, Event, Message

__all__ = ["CONTACT_MERGED", "holder_id", "identify", "identify_identity", "learn", "merge", "merge_by_agent"]

log = logging.getLogger(__name__)

CONTACT_MERGED = "contact_merged"
_ATTEMPTS = 5
_RETRIES = 10  # a busy row (a message being answered): ~2.5 s of random backoff in all
_KEYS = ("email", "phone")
_MOVED: tuple[tuple[str, Any], ...] = (
    ("identities", ContactIdentity),
    ("conversations", Conversation),
    ("events", Event),
    ("messages", Message),
)
T = TypeVar("T")


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


_HOLDER_ID: dict[str, sa.Executable] = {
    "email": sa.select(Contact.id).where(Contact.email == sa.bindparam("value")),
    # Whoever has the number, else whoever writes from it on WhatsApp.
    "phone": sa.union_all(
        sa.select(Contact.id, sa.literal(0).label("rank")).where(Contact.phone == sa.bindparam("value")),
        sa.select(ContactIdentity.contact_id, sa.literal(1)).where(
            ContactIdentity.channel == "whatsapp", ContactIdentity.source_id == sa.bindparam("value")
        ),
    )
    .order_by("rank")
    .limit(1),
}


async def holder_id(session: AsyncSession, *, key: str, value: str) -> int | None:
    """The contact with this email or phone; for a phone also the one known on WhatsApp by it.
    One indexed statement: intake asks it for every first message from WhatsApp."""
    connection = await session.connection()
    row = (await connection.execute(_HOLDER_ID[key], {"value": value})).first()
    return None if row is None else int(row[0])


def _normalized(email: str | None, phone: str | None, country_code: str) -> dict[str, str | None]:
    values: dict[str, str | None] = {"email": None, "phone": None}
    if email is not None and email.strip():
        values["email"] = normalize_email(email)
        if values["email"] is None:
            raise InvalidContactDetail("email", email)
    if phone is not None and phone.strip():
        values["phone"] = normalize_phone(phone, country_code)
        if values["phone"] is None:
            raise InvalidContactDetail("phone", phone)
    return values


async def identify(
    session: AsyncSession,
    *,
    contact_id: int,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    replace: bool = True,
    country_code: str = "",
) -> Contact:
    """Give the contact these details; merge it with any contact that already has the email or phone.

    Returns the contact that holds the details afterwards (the older one after a merge).
    ``replace=False`` only fills in what the contact lacks (details a customer wrote in a
    message), but still merges with a contact that has them. Phones without a country code get
    ``country_code``. Raises :class:`InvalidContactDetail` before changing anything, and
    :class:`ContactNotFound`. The caller owns the transaction (and retries an IntegrityError).
    """
    values = _normalized(email, phone, country_code)
    contact = await session.get(Contact, contact_id, populate_existing=True)
    if contact is None:
        raise ContactNotFound(contact_id)
    for key in _KEYS:
        value = values[key]
        if value is None or getattr(contact, key) == value:
            continue
        for _ in range(_ATTEMPTS):
            other = await holder_id(session, key=key, value=value)
            if other is None or other == contact.id:
                break
            survivor = await _merge_ids(session, contact.id, other, key=key, value=value)
            if survivor is not None:
                contact = survivor
                break
            # The holder was merged into a third contact meanwhile: look the value up again.
        if getattr(contact, key) is None or (replace and getattr(contact, key) != value):
            setattr(contact, key, value)
            await session.flush()
    name = (name or "").strip()[:200]
    if name and (replace or not contact.name):
        contact.name = name
        await session.flush()
    return contact


async def merge(
    session: AsyncSession, *, contact_id: int, other_contact_id: int, agent_id: int | None = None
) -> Contact:
    """Merge two contacts by hand (an agent); the older survives and is returned."""
    if contact_id == other_contact_id:
        raise MergeWithItself(contact_id)
    survivor = await _merge_ids(session, contact_id, other_contact_id, key="manual", agent_id=agent_id)
    if survivor is None:
        raise ContactNotFound(other_contact_id)
    return survivor


async def _merge_ids(
    session: AsyncSession,
    contact_id: int,
    other_id: int,
    *,
    key: str,
    value: str | None = None,
    agent_id: int | None = None,
) -> Contact | None:
    """Merge the newer of the two into the older; ``None`` when the other one is gone.

    Every row the merge changes is locked first with ``NOWAIT`` (PostgreSQL): a merge never waits
    while holding locks, so it cannot deadlock a bot reply or a customer message (they wait for it
    instead); a busy row fails the merge at once and the caller retries it (:func:`_retrying`).
    """
    locked = await _lock(session, [contact_id, other_id])
    if contact_id not in locked:
        raise ContactNotFound(contact_id)
    if other_id not in locked:
        return None
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
    was: dict[str, Any] = {
        "name": merged.name,
        "email": merged.email,
        "phone": merged.phone,
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
    if agent_id is not None:
        data["agent_id"] = agent_id
    await session.delete(merged)
    await session.flush()
    for attribute in ("email", "phone", "name"):
        if getattr(survivor, attribute) is None and was[attribute] is not None:
            setattr(survivor, attribute, was[attribute])
    session.add(Event(contact_id=survivor.id, kind=CONTACT_MERGED, data=data))
    await session.flush()
    # ids only: the matched phone or email and the merged contact's details stay in the event
    log.info("contacts merged", extra={k: data[k] for k in ("surviving_contact_id",
                                                             "merged_contact_id", "key")})
    return survivor


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


async def _retrying(
    sessions: async_sessionmaker[AsyncSession], work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    """``work`` in its own transaction, again when a concurrent one won a unique index or a busy row."""
    for attempt in range(_RETRIES):
        try:
            async with sessions.begin() as session:
                return await work(session)
        except (IntegrityError, OperationalError) as exc:
            if attempt == _RETRIES - 1:
                raise
            log.info("contact update raced, retrying", extra={"attempt": attempt + 1, "error": str(exc)})
            await asyncio.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))
    raise AssertionError("unreachable")


async def merge_by_agent(
    sessions: async_sessionmaker[AsyncSession], *, contact_id: int, other_contact_id: int, agent_id: int
) -> int:
    """:func:`merge` in its own transaction, retried while the rows are busy; the survivor's id."""

    async def work(session: AsyncSession) -> int:
        survivor = await merge(
            session, contact_id=contact_id, other_contact_id=other_contact_id, agent_id=agent_id
        )
        return survivor.id

    return await _retrying(sessions, work)


async def identify_identity(
    sessions: async_sessionmaker[AsyncSession],
    *,
    channel: str,
    source_id: str,
    details: ContactDetails,
    country_code: str,
    replace: bool = True,
) -> Contact:
    """:func:`identify` the contact behind (channel, source_id), created if new (e.g. a widget
    session that has not written yet). Own transaction, retried on races."""
    _normalized(details.email, details.phone, country_code)

    async def work(session: AsyncSession) -> Contact:
        contact = await contacts_crud.get_or_create_by_identity(session, channel=channel, source_id=source_id)
        return await identify(
            session,
            contact_id=contact.id,
            email=details.email,
            phone=details.phone,
            name=details.name,
            replace=replace,
            country_code=country_code,
        )

    return await _retrying(sessions, work)


async def learn(
    sessions: async_sessionmaker[AsyncSession],
    *,
    conversation_id: int,
    details: ContactDetails,
    country_code: str,
) -> None:
    """Details found in a customer's message (or given by their channel) fill in their contact and
    may link it to another; never raises (the message is already stored), failures are logged."""

    async def work(session: AsyncSession) -> None:
        contact_id = await session.scalar(
            sa.select(Conversation.contact_id).where(Conversation.id == conversation_id)
        )
        if contact_id is None:
            return
        for key, value in (("email", details.email), ("phone", details.phone)):
            if value is None:
                continue
            try:
                contact = await identify(
                    session,
                    contact_id=contact_id,
                    replace=False,
                    country_code=country_code,
                    **{key: value},
                )
            except InvalidContactDetail:
                continue
            contact_id = contact.id
        if details.name:
            await identify(session, contact_id=contact_id, name=details.name, replace=False)

    try:
        await _retrying(sessions, work)
    except Exception:
        log.exception("could not link the contact's details", extra={"conversation_id": conversation_id})
