"""What the context panel says about the customer: what to call them, and what the bot collected.

- :func:`display_name`: the contact's name when known; else a WhatsApp customer's number, and a website
  visitor is "Visitante web #<contact id>" (stable across their conversations), never a random session id.
- :func:`collected`: Rasa's slots, plus what the customer's turns carry when Rasa has no slot for it (Rasa
  down, a slot reset, or the tracker of a conversation that went to people before the bot ran its
  action): the entities the bot understood (``context.nlu.entities``, e.g. ``order_number``), and
  order numbers, emails and phones written in the customer's messages. Rasa's value wins. An FAQ the
  customer tapped (entity ``faq_id`` of ``/choose_faq{"faq_id": ...}``) is shown as its question (``faq``:
  the title they tapped, or the question of a knowledge-base candidate with that id), never the raw id.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Contact, Message

if TYPE_CHECKING:
    from handoff.schemas import QueueEntry

__all__ = ["collected", "display_name", "name_entries"]

# The demo shop's order numbers: two letters and five digits (AB-12345, ab12345, AB 12345).
_ORDER_NUMBER = re.compile(r"\b([A-Za-z]{2})[\s_\-–]?(\d{5})\b")
_FAQ_ID, _FAQ = "faq_id", "faq"
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def display_name(contact: Contact | None, *, contact_id: int, channel: str) -> str:
    if contact is not None and contact.name:
        return contact.name
    if channel == "whatsapp" and contact is not None and contact.phone:
        return f"+{contact.phone}"
    if channel == "widget":
        return f"Visitante web #{contact_id}"
    return f"Cliente #{contact_id}"


async def name_entries(session: AsyncSession, entries: list[QueueEntry]) -> None:
    """Fill each queue entry's ``customer_name`` (the contact's name, a WhatsApp number; None for an
    unnamed widget visitor, whom the console calls "Visitante web #<contact id>" as the context panel)."""
    ids = {e.contact_id for e in entries}
    if not ids:
        return
    contacts = {
        c.id: c for c in (await session.execute(sa.select(Contact).where(Contact.id.in_(ids)))).scalars()
    }
    for entry in entries:
        contact = contacts.get(entry.contact_id)
        if contact is not None and (contact.name or entry.channel == "whatsapp"):
            entry.customer_name = display_name(contact, contact_id=contact.id, channel=entry.channel)


def _from_turns(messages: list[Message]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for message in messages:
        if message.message_type != "incoming":
            continue
        for match in _ORDER_NUMBER.finditer(message.text or ""):
            found["order_number"] = f"{match.group(1).upper()}-{match.group(2)}"
        for email in _EMAIL.findall(message.text or ""):
            found["email"] = email.lower()
        nlu = (message.context or {}).get("nlu") or {}
        for entity in nlu.get("entities") or []:
            if isinstance(entity, dict) and entity.get("entity") and entity.get("value") not in (None, ""):
                if entity["entity"] == _FAQ_ID:
                    found[_FAQ] = _faq_question(messages, message, str(entity["value"]))
                else:
                    found[str(entity["entity"])] = entity["value"]
    return found


def _faq_question(messages: list[Message], tapped: Message, faq_id: str) -> str:
    """The question of the FAQ ``faq_id`` the customer picked: the title they tapped (the hub stores it as
    their text, the payload apart), else a knowledge-base candidate's question, else the id."""
    text = (tapped.text or "").strip()
    if text and not text.startswith("/"):
        return text
    for message in messages:
        for candidate in ((message.context or {}).get("kb") or {}).get("candidates") or []:
            if isinstance(candidate, dict) and candidate.get("id") == faq_id and candidate.get("question"):
                return str(candidate["question"])
    return faq_id


def collected(messages: list[Message], slots: dict[str, Any]) -> dict[str, Any]:
    """What the bot collected: Rasa's slots first, the customer's turns filling in what they lack."""
    return {**_from_turns(messages), **slots}
