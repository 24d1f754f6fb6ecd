"""Who the customer is, as far as an order's details go: the emails and phones they are known by.

An order's details (items, carrier, tracking link, dates) are given only to the customer it belongs to:

- an identified contact: the hub sends the contact's email and phone as message metadata
  (``metadata.contact``: a WhatsApp number Meta proved, an email the shop page identified the shopper with,
  one the customer gave before), hub/contacts/bot_facts.py;
- or a customer who writes the order's email or phone in this conversation ("AB-12345 ana@correo.com").

Anyone else gets the status in general words and is asked to confirm the email or phone (actions/order.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

__all__ = ["Proof", "proof_of"]

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A phone in free text: optional + or 00, then 9 to 15 digits with spaces, dots, dashes or brackets.
_PHONE = re.compile(r"(?<![\w@.-])(?:\+|00)?\(?\d[\d ().-]{7,20}\d(?![\w@])")


@dataclass(frozen=True)
class Proof:
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)


def _metadata(event: dict[str, Any]) -> dict[str, Any]:
    metadata = event.get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def _written(text: str, proof: Proof) -> None:
    proof.emails.update(match.lower() for match in _EMAIL.findall(text))
    for match in _PHONE.findall(text):
        digits = re.sub(r"\D", "", match)
        if 9 <= len(digits) <= 15:
            proof.phones.add(digits)


def proof_of(tracker: Tracker) -> Proof:
    """The emails and phones the customer is known by: the hub's contact metadata of their messages and
    what they wrote in this conversation's messages."""
    proof = Proof()
    user_events = [e for e in tracker.events if isinstance(e, dict) and e.get("event") == "user"]
    latest = tracker.latest_message or {}
    for metadata, text in [(_metadata(e), e.get("text")) for e in user_events] + [
        (_metadata(latest), latest.get("text"))
    ]:
        contact = metadata.get("contact")
        if isinstance(contact, dict):
            if isinstance(contact.get("email"), str):
                proof.emails.add(contact["email"].lower())
            if isinstance(contact.get("phone"), str):
                proof.phones.add(contact["phone"])
        if isinstance(text, str):
            _written(text, proof)
    return proof
