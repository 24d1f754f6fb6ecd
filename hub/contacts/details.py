"""A contact's email and phone: normalised forms, and finding them in what a customer writes.

Normal forms (what ``contacts.email`` / ``contacts.phone`` hold and what linking compares):

- email: trimmed and lower-cased (``Ana@Example.COM`` -> ``ana@example.com``).
- phone: digits only, with the country code (E.164 without the ``+``): ``+34 600 11 12 22`` and
  ``0034600111222`` -> ``34600111222``; a WhatsApp ``wa_id`` already is one. A number written
  without a country code (10 digits or fewer, no ``+``/``00``) gets ``default_country_code``
  (``PHONE_DEFAULT_COUNTRY_CODE``) in front, after dropping a trunk ``0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["ContactDetails", "Detail", "extract", "given_then_written", "normalize_email", "normalize_phone"]

_EMAIL = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A phone number in free text: optional + or 00, then digits with spaces, dots, dashes or brackets.
_PHONE_IN_TEXT = re.compile(r"(?<![\w+@.-])(?:\+|00)?\(?\d[\d ().-]{6,20}\d(?![\w@])")
_MIN_DIGITS = 9  # in free text: fewer digits are order numbers, postcodes, amounts...
_MAX_DIGITS = 15  # E.164


class Detail(NamedTuple):
    """One email or phone (normal form) and whether its channel proves it."""

    key: str  # email | phone
    value: str
    verified: bool


@dataclass(frozen=True)
class ContactDetails:
    """What is known about who a customer is; ``None`` = not given.

    ``verified``: the channel proves the email/phone (a WhatsApp ``wa_id``: the signed webhook's
    ``from``). Details a customer types or a page sends in ``identify`` are not (issue 15, finding 2).
    """

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    verified: bool = False

    def __bool__(self) -> bool:
        return bool(self.email or self.phone or self.name)

    def normalized(self, default_country_code: str = "") -> ContactDetails:
        """The same details in normal form; an invalid email or phone is dropped."""
        return ContactDetails(
            email=normalize_email(self.email) if self.email else None,
            phone=normalize_phone(self.phone, default_country_code) if self.phone else None,
            name=self.name.strip()[:200] or None if self.name else None,
            verified=self.verified,
        )

    def items(self) -> list[Detail]:
        """The email and the phone given, each with ``verified``."""
        pairs = (("email", self.email), ("phone", self.phone))
        return [Detail(key, value, self.verified) for key, value in pairs if value]


def given_then_written(given: ContactDetails, written: ContactDetails) -> list[Detail]:
    """What the channel gave, then what the customer wrote for the keys the channel did not give."""
    details = given.items()
    keys = {d.key for d in details}
    return details + [d._replace(verified=False) for d in written.items() if d.key not in keys]


def normalize_email(raw: str) -> str | None:
    """The normal form of an email address, or ``None`` when it is not one."""
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        return None
    return email


def normalize_phone(raw: str, default_country_code: str = "") -> str | None:
    """Digits with the country code (E.164 without ``+``), or ``None`` when it is not a phone number."""
    text = raw.strip()
    if re.search(r"[^\d\s().+-]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        national = False
    elif digits.startswith("00"):
        digits, national = digits[2:], False
    else:
        national = len(digits) <= 10
    if national and default_country_code:
        digits = default_country_code + (digits[1:] if digits.startswith("0") else digits)
    if not 7 <= len(digits) <= _MAX_DIGITS:
        return None
    return digits


def extract(text: str, default_country_code: str = "") -> ContactDetails:
    """The first email address and the first phone number a customer wrote in ``text``."""
    email = None
    for match in _EMAIL_IN_TEXT.finditer(text):
        email = normalize_email(match.group(0).strip(".'"))
        if email:
            break
    phone = None
    without_emails = _EMAIL_IN_TEXT.sub(" ", text)
    for match in _PHONE_IN_TEXT.finditer(without_emails):
        candidate = match.group(0)
        count = sum(c.isdigit() for c in candidate)
        if not _MIN_DIGITS <= count <= _MAX_DIGITS + 2:
            continue
        phone = normalize_phone(candidate, default_country_code)
        if phone:
            break
    return ContactDetails(email=email, phone=phone)
