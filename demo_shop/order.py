"""An order of the demo shop and the customer-facing spelling of its fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["STATUSES", "Item", "Order", "Status", "format_date", "normalize_order_number"]

Status = Literal["pending_payment", "preparing", "shipped", "delivered", "cancelled", "returned"]
STATUSES: tuple[Status, ...] = (
    "pending_payment", "preparing", "shipped", "delivered", "cancelled", "returned",
)

#: Statuses with a delivery still to come: past their ``eta`` they are late.
LATE_CAN_BE: tuple[Status, ...] = ("preparing", "shipped")

# Two letters and five digits; customers write "AB-12345", "ab12345", "AB 12345", "ab_12345".
_ORDER_NUMBER = re.compile(r"\b([A-Za-z]{2})[\s_\-–]?(\d{5})\b")


def _phone_key(phone: str | None) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[-9:] if len(digits) >= 9 else ""


def normalize_order_number(text: str | None) -> str | None:
    """The canonical ``AB-12345`` spelling of the first order number in ``text``, or None."""
    if not text:
        return None
    match = _ORDER_NUMBER.search(text.strip())
    if match is None:
        return None
    return f"{match.group(1).upper()}-{match.group(2)}"


def format_date(day: dt.date | None, lang: str) -> str:
    """``25/11/2026`` for Spanish, ``2026-11-25`` otherwise; empty for no date."""
    if day is None:
        return ""
    return day.strftime("%d/%m/%Y") if lang == "es" else day.isoformat()


@dataclass(frozen=True)
class Item:
    """One order line; the product name is stored in every shop language."""

    names: dict[str, str]
    qty: int = 1

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("es") or next(iter(self.names.values()))


@dataclass(frozen=True)
class Order:
    number: str
    status: Status
    placed_on: dt.date
    items: tuple[Item, ...] = ()
    carrier: str | None = None
    tracking_url: str | None = None
    eta: dt.date | None = None
    delivered_on: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    email: str | None = None  # the customer the order belongs to (lower case)
    phone: str | None = None  # their phone, digits with the country code (34600111222)

    def belongs_to(self, *, emails: Iterable[str], phones: Iterable[str]) -> bool:
        """Whether one of ``emails`` (any case) or ``phones`` (any spelling: ``+34 600 11 12 22``,
        ``600111222``) is the order's customer's. Phones match on their last 9 digits, so a number
        written without its country code still matches."""
        if self.email and self.email.lower() in {e.strip().lower() for e in emails}:
            return True
        mine = _phone_key(self.phone)
        return bool(mine) and mine in {_phone_key(p) for p in phones}

    def is_late(self, today: dt.date) -> bool:
        """Not delivered yet and its estimated delivery date has passed."""
        return self.status in LATE_CAN_BE and self.eta is not None and self.eta < today

    def items_summary(self, lang: str) -> str:
        """``2 x Camiseta básica, 1 x Cinturón`` in the customer's language."""
        return ", ".join(f"{item.qty} x {item.name(lang)}" for item in self.items)

    def slots(self, lang: str) -> dict[str, str]:
        """Every field as text, ready to fill a response template (``{order_number}``, ...)."""
        return {
            "order_number": self.number,
            "order_status": self.status,
            "placed_on": format_date(self.placed_on, lang),
            "items": self.items_summary(lang),
            "carrier": self.carrier or "",
            "tracking_url": self.tracking_url or "",
            "eta": format_date(self.eta, lang),
            "delivered_on": format_date(self.delivered_on, lang),
        }
