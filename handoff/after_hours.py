"""A handoff while the desk is closed: say when it opens, keep the customer's messages and email.

The decision's ``detail`` gets ``{"closed": true, "next_opening": "<ISO, UTC>", "holiday"?}`` (so the
handoffs row and the ``bot_handoff`` event record why), the customer is told in their language when
the team is back (in the business's time zone) and that they can leave a message or an email. The
handoff stays ``waiting`` (claimable at once); the abandonment sweep leaves it alone until the next
opening + HANDOFF_ABANDON_AFTER (handoff/waiting.py). An email address the customer writes while queued
this way is acknowledged once (event ``contact_email_left``); hub/intake.py has already put it on the contact
(``contacts.email``, unverified: hub/contacts/linking.py), and if that did not happen it is set here
when no other contact holds it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import hours, notices, queue, requests
from handoff.models import Handoff
from hub.crud import conversations, events
from hub.crud import messages as messages_crud
from hub.delivery import Delivery
from hub.models import Contact, Event

if TYPE_CHECKING:
    from handoff.settings import HandoffSettings

__all__ = [
    "Closed",
    "capture_email",
    "closed_now",
    "held_until",
    "hold_until_opening",
    "hours_of",
]

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Closed:
    """The desk is closed for this handoff: what to record and what to tell the customer."""

    detail: dict[str, Any]
    text: str


def hours_of(settings: HandoffSettings) -> hours.BusinessHours:
    """The business hours of the policy file in effect (always open if the file is broken)."""
    path = settings.policy_path
    try:
        return settings.policy().hours
    except Exception:
        # Like a broken policy (handoff.desk.decide): never lose a handoff over a config mistake.
        log.exception("business hours unreadable; treating the desk as open", extra={"path": str(path)})
        return hours.BusinessHours()


def closed_now(
    settings: HandoffSettings, *, language: str, skill: str | None, now: datetime
) -> Closed | None:
    """None when a person is at work now for this language/team; otherwise what to record and say."""
    schedule = hours_of(settings).schedule_for(language=language, team=skill)
    if schedule is None or schedule.is_open(now):
        return None
    opening = schedule.next_opening(now)
    is_holiday, holiday_name = schedule.holiday(schedule.local(now).date())
    detail: dict[str, Any] = {
        "closed": True,
        "next_opening": opening.astimezone(now.tzinfo).isoformat() if opening else None,
        "time_zone": schedule.zone.key,
    }
    if is_holiday:
        detail["holiday"] = holiday_name or True
    when = notices.opening_time(language, opening=opening, now=now, place=schedule.place) if opening else None
    return Closed(detail, notices.closed(language, opening=when, holiday=holiday_name))


def _instant(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def held_until(handoff: Handoff) -> datetime | None:
    """The opening a waiting customer waits for: the one they were told when they asked while closed, or
    the one after the desk closed while they waited (:func:`hold_until_opening`); None otherwise."""
    detail = handoff.detail or {}
    told = _instant(detail.get("next_opening")) if detail.get("closed") else None
    held = _instant(detail.get("held_until"))
    known = [at for at in (told, held) if at is not None]
    return max(known) if known else None


def hold_until_opening(handoff: Handoff, closed: Closed) -> None:
    """The desk is closed for a waiting handoff: its silence counts from the next opening."""
    opening = closed.detail.get("next_opening")
    if opening and (handoff.detail or {}).get("held_until") != opening:
        handoff.detail = {**(handoff.detail or {}), "held_until": opening}


async def _already_saved(session: AsyncSession, conversation_id: int, email: str) -> bool:
    query = sa.select(Event.data).where(
        Event.conversation_id == conversation_id, Event.kind == "contact_email_left"
    )
    return any((data or {}).get("email") == email for data in (await session.execute(query)).scalars())


async def _store_on_contact(session: AsyncSession, contact_id: int, email: str) -> bool:
    """Is the email on the contact? Set it if contact linking did not and no other contact holds it."""
    contact = await session.get(Contact, contact_id)
    if contact is None or contact.email:
        return contact is not None and contact.email == email
    owner = await session.scalar(sa.select(Contact.id).where(Contact.email == email))
    if owner is not None:
        return False
    contact.email = email
    return True


async def capture_email(
    *, sessions: async_sessionmaker[AsyncSession], delivery: Delivery, conversation_id: int, message_id: int
) -> bool:
    """A customer queued while closed wrote an email address: store it and acknowledge it (once)."""
    async with sessions.begin() as session:
        message = await messages_crud.get(session, message_id=message_id)
        conversation = await conversations.get(session, conversation_id=conversation_id)
        if message is None or conversation is None or message.message_type != "incoming":
            return False
        match = _EMAIL.search(message.text or "")
        if match is None:
            return False
        handoff = await queue.current(session, conversation_id=conversation_id)
        if handoff is None or handoff.state != requests.WAITING or not (handoff.detail or {}).get("closed"):
            return False
        email = match.group(0).strip(".'").lower()
        if await _already_saved(session, conversation_id, email):
            return False
        on_contact = await _store_on_contact(session, conversation.contact_id, email)
        await events.record(
            session,
            conversation_id=conversation_id,
            kind="contact_email_left",
            message_id=message.id,
            data={"email": email, "handoff_id": handoff.id, "on_contact": on_contact},
        )
        ack = await messages_crud.add_activity(
            session,
            conversation=conversation,
            text=notices.email_saved(conversation.language, email=email),
            data={"email_saved": email},
        )
    await delivery.deliver(conversation=conversation, messages=[ack])
    return True
