"""A contact's data: export all of it (GDPR art. 15), erase all of it (art. 17), erase old conversations.

The export is the customer's own data as stored: texts are not masked (the masker, hub/pii, is for
logs). An erasure deletes every row found by hub/privacy/records.py and the Rasa trackers of the
conversations (hub/privacy/tracker.py), and keeps an :class:`~hub.privacy.audit.Erasure` row: ids, counts,
who and when, nothing personal.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import db_errors
from hub.errors import ContactNotFound, HubError
from hub.models import Contact, Conversation, Message, utcnow
from hub.privacy import records, tracker
from hub.privacy.audit import Erasure
from hub.settings import Settings

__all__ = [
    "EXPORT_FORMAT", "ContactErased", "ErasureBusy", "erase_contact", "erase_conversations", "export_contact"
]

log = logging.getLogger(__name__)

EXPORT_FORMAT = "mostrador.contact-export.v1"
_ATTEMPTS = 16  # a conversation being answered: ~5 s of random backoff in all


class ContactErased(HubError):
    code = "contact_erased"
    http_status = 404

    def __init__(self, contact_id: int, erasure: Erasure) -> None:
        super().__init__(
            f"El contacto {contact_id} ya se borró ({erasure.created_at:%Y-%m-%d %H:%M} UTC, borrado "
            f"{erasure.id}); no queda nada suyo. / Contact {contact_id} was already erased "
            f"({erasure.created_at:%Y-%m-%d %H:%M} UTC, erasure {erasure.id}); nothing of it is left."
        )


class ErasureBusy(HubError):
    code = "contact_busy"
    http_status = 503

    def __init__(self, contact_id: int | None) -> None:
        super().__init__(
            f"El contacto {contact_id} está en uso (se está respondiendo un mensaje suyo); no se borró "
            f"nada. Vuelve a intentarlo en unos segundos. / Contact {contact_id} is in use (a message of "
            "theirs is being answered); nothing was erased. Try again in a few seconds."
        )


async def _missing(session: AsyncSession, contact_id: int) -> HubError:
    """404: ``contact_erased`` when an erasure recorded it, else ``contact_not_found``."""
    erasure = await session.scalar(
        sa.select(Erasure).where(Erasure.contact_id == contact_id).order_by(Erasure.id.desc()).limit(1)
    )
    return ContactErased(contact_id, erasure) if erasure is not None else ContactNotFound(contact_id)


async def export_contact(
    *,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    settings: Settings,
    contact_id: int,
) -> dict[str, Any]:
    """Everything held about the contact, as one JSON document; 404 when there is no such contact."""
    async with sessions() as session:
        conn = await session.connection()
        found = await records.collect(conn, {"contacts": [contact_id]})
        if not found.get("contacts"):
            raise await _missing(session, contact_id)
    tables = {name: [records.jsonable(row) for _key, row in sorted(rows.items())]
              for name, rows in sorted(found.items())}
    [contact] = tables.pop("contacts")
    conversation_ids = sorted(found.get("conversations", {}))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "contact_id": contact_id,
        "note": (
            "Todo lo que guardamos de esta persona, sin enmascarar: son sus propios datos. / Everything we "
            "hold about this person, unmasked: it is their own data."
        ),
        "contact": contact,
        "tables": tables,
        "notes": [e for e in tables.get("events", []) if e.get("kind") == "note_added"],
        "rasa_trackers": {
            str(i): await tracker.fetch(http=http, settings=settings, conversation_id=i)
            for i in conversation_ids
        },
    }


async def _lock(
    session: AsyncSession, *, contact_ids: Iterable[int], conversation_ids: Iterable[int]
) -> None:
    """PostgreSQL: hold the rows new messages and events point at, so none lands mid-erasure (SQLite
    takes its write lock at BEGIN).

    In a bot turn's order (its message, then the conversation, then the contact) and ``NOWAIT``: a row
    in use is a lock error at once (retried by :func:`_erase`), never a wait holding the others. Waiting
    deadlocked with a bot turn that held the message and then wrote the conversation the erasure held.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    contacts, conversations = list(contact_ids), list(conversation_ids)
    theirs = sa.or_(Conversation.id.in_(conversations), Conversation.contact_id.in_(contacts))
    await session.execute(
        sa.select(Message.id)
        .where(sa.or_(Message.conversation_id.in_(sa.select(Conversation.id).where(theirs)),
                      Message.contact_id.in_(contacts)))
        .with_for_update(nowait=True)
    )
    await session.execute(sa.select(Conversation.id).where(theirs).with_for_update(nowait=True))
    await session.execute(sa.select(Contact.id).where(Contact.id.in_(contacts)).with_for_update(nowait=True))


def _raced(exc: DBAPIError) -> bool:
    """A row pointing at the contact was stored meanwhile, or a row was in use (PostgreSQL)."""
    return isinstance(exc, IntegrityError) or db_errors.lost_race(exc)


async def _erase(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    roots: dict[str, list[int]],
    contact_id: int | None,
    reason: str,
    requested_by: str,
) -> Erasure | None:
    """One transaction: collect, erase Rasa's trackers, delete, record. None when nothing was found.

    Again, after a short random backoff, when a concurrent transaction won a race (a message being
    answered, a row stored meanwhile): about 5 s in all, then the error.
    """
    tracker_events = 0  # Rasa's store is not in our transaction: what an attempt erased stays erased
    for attempt in range(_ATTEMPTS):
        try:
            async with sessions.begin() as session:
                await _lock(session, contact_ids=roots.get("contacts", []),
                            conversation_ids=roots.get("conversations", []))
                conn = await session.connection()
                found = await records.collect(conn, roots)
                if not any(found.get(name) for name in roots):
                    return None
                conversation_ids = sorted(found.get("conversations", {}))
                # Rasa first: if its store fails, nothing of ours is gone and the erasure can be rerun.
                tracker_events += await tracker.erase(settings, conversation_ids=conversation_ids)
                counts: dict[str, Any] = await records.delete(conn, found)
                counts["rasa_tracker_events"] = tracker_events
                erasure = Erasure(
                    contact_id=contact_id,
                    reason=reason,
                    requested_by=requested_by,
                    conversation_ids=conversation_ids,
                    counts=counts,
                )
                session.add(erasure)
            log.info("personal data erased", extra={"erasure_id": erasure.id, "reason": reason})
            return erasure
        except DBAPIError as exc:
            if not _raced(exc):
                raise
            if attempt == _ATTEMPTS - 1:
                raise ErasureBusy(contact_id) from exc
            log.info("erasure raced, retrying", extra={"attempt": attempt + 1, "error": type(exc).__name__})
            await asyncio.sleep(random.uniform(0, min(0.5, 0.02 * 2**attempt)))
    return None


async def erase_contact(
    *, sessions: async_sessionmaker[AsyncSession], settings: Settings, contact_id: int, requested_by: str
) -> Erasure:
    """Erase the contact and everything about it; 404 (``contact_erased`` the second time)."""
    erasure = await _erase(
        sessions, settings, roots={"contacts": [contact_id]}, contact_id=contact_id, reason="request",
        requested_by=requested_by,
    )
    if erasure is None:
        async with sessions() as session:
            raise await _missing(session, contact_id)
    return erasure


async def erase_conversations(
    *,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    contact_id: int,
    conversation_ids: list[int],
    with_contact: bool,
    reason: str,
) -> Erasure | None:
    """Erase these conversations of one contact (and the contact itself when ``with_contact``)."""
    roots = {"contacts": [contact_id]} if with_contact else {"conversations": conversation_ids}
    return await _erase(
        sessions, settings, roots=roots, contact_id=contact_id, reason=reason, requested_by=reason
    )
