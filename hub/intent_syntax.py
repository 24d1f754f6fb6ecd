"""Customers cannot drive Rasa by typing its intent syntax (issue 15, finding 8).

Rasa treats a message that starts with ``/`` as an intent with entities, skipping NLU:
``/order_status{"order_number": "AB-12345"}`` typed by anyone looked up that order. Buttons
legitimately send such payloads (``/choose_faq{"faq_id": ...}``), so a ``/`` message passes
unchanged only when it is exactly a payload the bot offered in that conversation; anything else
reaches Rasa without its leading slashes, as plain words for NLU.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["INTENT_PREFIX", "for_rasa"]

INTENT_PREFIX = "/"


def for_rasa(text: str, offered_payloads: Collection[str]) -> str:
    """The text to send Rasa for a customer message, given the button payloads on offer."""
    stripped = text.strip()
    if not stripped.startswith(INTENT_PREFIX) or stripped in offered_payloads:
        return text
    return stripped.lstrip(INTENT_PREFIX).strip() or "?"
