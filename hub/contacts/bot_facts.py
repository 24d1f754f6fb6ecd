"""What the bot is told about who writes: the contact's email and phone, sent with each message.

The action server cannot read the hub's database; it gets, in the message metadata Rasa keeps on the
turn, ``{"contact": {"email", "phone", "email_verified", "phone_verified"}}`` (values None when not
known). actions/order_owner.py gives an order's details only to the customer it belongs to: a matching
email or phone here (a WhatsApp number Meta proved, the email a shop page identified the shopper with,
one they gave before) or written in the conversation. Rasa's tracker then holds them like the customer's
own words: an erasure deletes it (hub/privacy).
"""

from __future__ import annotations

from typing import Any

from hub.models import Contact

__all__ = ["contact_facts"]


def contact_facts(contact: Contact | None) -> dict[str, Any]:
    """What the bot is told about the writer (the drain reads the contact with the message)."""
    if contact is None:
        return {}
    return {
        "email": contact.email,
        "phone": contact.phone,
        "email_verified": contact.email_verified,
        "phone_verified": contact.phone_verified,
    }
