"""An order of the demo shop and the customer-facing spelling of its fields."""

from __future__ import annotations

import datetime as dt
import re
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
