"""What the context panel says about the customer: what to call them, and what the bot collected.

- :func:`display_name`: the contact's name when known; else a WhatsApp customer's number, and a website
  visitor is "Visitante web #<contact id>" (stable across their conversations), never a random session id.
- :func:`collected`: Rasa's slots, plus what the customer's turns carry when Rasa has no slot for it (Rasa
  down, a slot reset, or the tracker of a conversation that went to people before the bot ran its
  action): the entities the bot understood (``context.nlu.entities``, e.g. ``order_number``), and
  order numbers, emails and phones written in the customer's messages. Rasa's value wins.
"""

from __future__ import annotations

import re
from typing import Any

from hub.models import Contact, Message

__all__ = ["collected", "display_name"]

# The demo shop's order numbers: two letters and five digits (AB-12345, ab12345, AB 12345).
_ORDER_NUMBER = re.compile(r"\b([A-Za-z]{2})[\s_\-–]?(\d{5})\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def display_name(contact: Contact | None, *, contact_id: int, channel: str) -> str:
    if contact is not None and contact.name:
        return contact.name
    if channel == "whatsapp" and contact is not None and contact.phone:
        return f"+{contact.phone}"
    if channel == "widget":
        return f"Visitante web #{contact_id}"
    return f"Cliente #{contact_id}"


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
                found[str(entity["entity"])] = entity["value"]
    return found


def collected(messages: list[Message], slots: dict[str, Any]) -> dict[str, Any]:
    """What the bot collected: Rasa's slots first, the customer's turns filling in what they lack."""
    return {**_from_turns(messages), **slots}
