"""Checksums and shape rules that turn a candidate string into personal data, or reject it.

Every function takes the text as written (spaces, dots and dashes included) and answers whether it is a
real datum of that kind: a candidate that fails here is left in the message (an order number, a price, a
reference with a wrong check digit, a DNI with a wrong letter).
"""

from __future__ import annotations

import re

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
NIE_PREFIX = {"X": "0", "Y": "1", "Z": "2"}

# IBAN lengths of the countries a Spanish shop meets most; others are checked by mod-97 alone (15-34).
IBAN_LENGTHS = {
    "ES": 24, "PT": 25, "FR": 27, "DE": 22, "IT": 27, "GB": 22, "IE": 22, "NL": 18, "BE": 16, "AD": 24,
    "AT": 20, "CH": 21, "LU": 20, "PL": 28, "RO": 24, "SE": 24, "DK": 18, "FI": 18, "NO": 15, "GR": 27,
    "MT": 31, "CY": 28, "CZ": 24, "SK": 24, "HU": 28, "BG": 22, "HR": 21, "SI": 19, "LT": 20, "LV": 21,
    "EE": 20, "MC": 27, "SM": 27, "GI": 23, "MA": 28, "TR": 26, "BR": 29,
}

_SEPARATORS = re.compile(r"[\s.\-]")
_NON_DIGITS = re.compile(r"\D")


def compact(text: str) -> str:
    """The datum without the separators people type (spaces, dots, dashes), upper-cased."""
    return _SEPARATORS.sub("", text).upper()


def dni_ok(text: str) -> bool:
    """8 digits and the letter of their remainder mod 23 (12345678Z)."""
    value = compact(text)
    if len(value) != 9 or not value[:8].isdigit():
        return False
    return DNI_LETTERS[int(value[:8]) % 23] == value[8]


def nie_ok(text: str) -> bool:
    """X, Y or Z (for 0, 1, 2), 7 digits and the DNI letter of the 8-digit number (X1234567L)."""
    value = compact(text)
    if len(value) != 9 or value[0] not in NIE_PREFIX or not value[1:8].isdigit():
        return False
    return DNI_LETTERS[int(NIE_PREFIX[value[0]] + value[1:8]) % 23] == value[8]


def iban_ok(text: str) -> bool:
    """ISO 13616: the country's length (when known) and the mod-97 check of the rearranged number."""
    value = compact(text)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", value):
        return False
    expected = IBAN_LENGTHS.get(value[:2])
    if expected is not None and len(value) != expected:
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def luhn_ok(digits: str) -> bool:
    """The Luhn check of ISO/IEC 7812 card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_ok(text: str) -> bool:
    """13-19 digits, an issuer's first digit (2-6: Mastercard, Amex, Visa, Mastercard, Discover) and Luhn."""
    digits = _NON_DIGITS.sub("", text)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits)


def phone_ok(text: str) -> bool:
    """A Spanish number (9 digits from 6, 7, 8 or 9, optionally after +34/0034/34) or an international
    one written with + or 00 (8-15 digits, E.164)."""
    stripped = text.strip()
    digits = _NON_DIGITS.sub("", stripped)
    international = stripped.startswith(("+", "(+", "00"))
    if stripped.startswith("00"):
        digits = digits[2:]
    if digits.startswith("34") and len(digits) == 11:
        digits = digits[2:]
        international = False
    if len(digits) == 9 and digits[0] in "6789":
        return True
    return international and 8 <= len(digits) <= 15 and digits[0] != "0"
