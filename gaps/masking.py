"""Personal data out of the knowledge-gap report: the hub's masker (hub/pii: e-mails, phones, DNI/NIE,
IBAN, cards, addresses, each validated) plus what only a support report needs masked too:

- order numbers (two letters and five digits, however customers write them: "AB-12345", "ab12345",
  "AB 12345"), which hub/pii keeps on purpose (they are references, not personal data, in logs);
- DNI/NIE-shaped numbers whose check letter is wrong (a customer's typo is still their ID number), and
  any run of 7+ digits left (a phone or an ID written oddly).

Everything shown by the report, its examples, the agents' replies and the draft goes through :func:`mask`.
"""

from __future__ import annotations

import re

from hub.pii import mask as mask_personal_data

__all__ = ["mask"]

_ORDER = re.compile(r"\b[A-Za-z]{2}[\s_\-–]?\d{5}\b")
_ID_LIKE = re.compile(r"\b(?:[XYZxyz][\s.\-]?)?\d{1,2}\.?\d{3}\.?\d{3}[\s\-]?[A-Za-z]\b")
_LONG_DIGITS = re.compile(r"(?<![\w\[])\+?\d(?:[\s.\-]?\d){6,}(?![\w\]])")


def mask(text: str) -> str:
    """``text`` with personal data replaced by placeholders: [EMAIL], [PHONE], [DNI], [NIE], [IBAN],
    [CARD], [ADDRESS] (hub/pii), [ORDER], [ID] and [NUMBER]."""
    masked = mask_personal_data(text)
    masked = _ORDER.sub("[ORDER]", masked)
    masked = _ID_LIKE.sub("[ID]", masked)
    return _LONG_DIGITS.sub("[NUMBER]", masked)
