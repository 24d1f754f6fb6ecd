"""A contact's email, phone and name: from its channel (proven) or typed / ``identify`` (not proven).

Issue 15, finding 2: a widget visitor who typed someone's WhatsApp number was merged into that
person's contact: the agent saw the victim's history as this customer's, and the victim's name
was overwritten. Now a detail never merges contacts and never touches another
contact: it is stored on the contact it was given to (with ``*_verified``), and when another contact
holds it a suggested link is recorded (hub.contacts.suggestions) for an agent to confirm or dismiss.

Which details are proven: a WhatsApp number, by WhatsApp (the signed webhook's ``from``:
``ContactDetails(verified=True)``). Not proven: what a customer writes in a message, what the widget
sends in ``identify`` or a message's ``metadata``/``customData`` (the page's JavaScript is the
visitor's to change: the hub signs no identity for it).

Writing a detail on the contact (:func:`plan`): a contact without one takes it; the same value
becomes proven when a proven one comes; a proven one is never overwritten by a typed one;
``replace`` (``identify``: the page knows better than what was typed) overwrites a typed one.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from hub.bus import Database
from hub.contacts import identities, suggestions
from hub.contacts.details import ContactDetails, Detail, normalize_email, normalize_phone
from hub.contacts.retry import retrying
from hub.errors import ContactNotFound, InvalidContactDetail
from hub.models import Contact

__all__ = ["Current", "identify", "identify_identity", "plan"]


class Current(Protocol):
    """What a contact has now (a Contact row, or intake's ``Known``)."""

    @property
    def name(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def email_verified(self) -> bool: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def phone_verified(self) -> bool: ...


def _writes(current: Current, detail: Detail, replace: bool) -> bool:
    ours = getattr(current, detail.key)
    proven = bool(getattr(current, f"{detail.key}_verified"))
    if ours is None:
        return True
    if ours == detail.value:
        return detail.verified and not proven
    if proven != detail.verified:
        return detail.verified  # proven beats typed, both ways
    return replace


async def plan(
    session: AsyncSession,
    *,
    contact_id: int,
    current: Current,
    details: list[Detail],
    name: str | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """The column values to write on the contact for these details; a detail another contact holds
    is recorded as a suggested link (in this transaction). Never changes another contact."""
    values: dict[str, Any] = {}
    for detail in details:
        proven = bool(getattr(current, f"{detail.key}_verified"))
        if getattr(current, detail.key) == detail.value and (proven or not detail.verified):
            continue  # known already (every message from WhatsApp): no lookup
        holder = await identities.holder(session, key=detail.key, value=detail.value, besides=contact_id)
        if holder is not None:
            await suggestions.suggest(session, contact_id=contact_id, holder=holder, detail=detail)
            if holder.verified and detail.verified:
                continue  # proven for both (unique): an agent decides
        if _writes(current, detail, replace):
            values[detail.key] = detail.value
            values[f"{detail.key}_verified"] = detail.verified
    name = (name or "").strip()[:200]
    if name and name != current.name and (replace or not current.name):
        values["name"] = name
    return values


def _normalized(details: ContactDetails, country_code: str) -> list[Detail]:
    """The email and phone in normal form, unproven; :class:`InvalidContactDetail` for a bad one."""
    out: list[Detail] = []
    for key in ("email", "phone"):
        raw = getattr(details, key)
        if raw is None or not raw.strip():
            continue
        value = normalize_email(raw) if key == "email" else normalize_phone(raw, country_code)
        if value is None:
            raise InvalidContactDetail(key, raw)
        out.append(Detail(key, value, False))
    return out


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
    """Give the contact these details, not proven (a page's ``identify``, a customer's message).

    ``replace=False`` only fills in what the contact lacks. Phones without a country code get
    ``country_code``. Raises :class:`InvalidContactDetail` before changing anything, and
    :class:`ContactNotFound`. The caller owns the transaction.
    """
    details = _normalized(ContactDetails(email=email, phone=phone), country_code)
    contact = await session.get(Contact, contact_id, populate_existing=True)
    if contact is None:
        raise ContactNotFound(contact_id)
    values = await plan(session, contact_id=contact.id, current=contact, details=details, name=name,
                        replace=replace)
    for column, value in values.items():
        setattr(contact, column, value)
    await session.flush()
    return contact


async def identify_identity(
    db: Database,
    *,
    channel: str,
    source_id: str,
    details: ContactDetails,
    country_code: str,
    replace: bool = True,
) -> Contact:
    """:func:`identify` the contact behind (channel, source_id), created if new (e.g. a widget
    session that has not written yet). Own transaction, retried on races."""
    _normalized(details, country_code)  # a bad detail: 422 before any transaction

    async def work(session: AsyncSession) -> Contact:
        contact = await identities.get_or_create_by_identity(session, channel=channel, source_id=source_id)
        return await identify(
            session,
            contact_id=contact.id,
            email=details.email,
            phone=details.phone,
            name=details.name,
            replace=replace,
            country_code=country_code,
        )

    return await retrying(db, work)
