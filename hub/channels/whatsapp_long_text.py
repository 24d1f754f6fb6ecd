"""A WhatsApp text longer than MAX_TEXT_CHARS is kept, cut, with a marker (issue 15, finding 5).

The API channel refuses such a text with 413 and the client can split it; a WhatsApp customer
cannot be told, and Meta sends it once. So it is stored cut to ``max_text_chars`` with a visible
marker at the end saying how long the original was (what agents and transcripts show), and its
context carries ``truncated: {"original_chars": N}``. The whole text is not stored: the limit
protects the bot, the database and the console alike. The bot answers what it can read.
"""

from __future__ import annotations

__all__ = ["MARKER", "cut"]

MARKER = " […] [mensaje recortado: el original tenía {chars} caracteres]"


def cut(text: str, limit: int) -> tuple[str, int | None]:
    """``(text, None)`` when it fits, else the cut text with the marker and the original length."""
    if len(text) <= limit:
        return text, None
    marker = MARKER.format(chars=len(text))
    return text[: max(limit - len(marker), 0)].rstrip() + marker, len(text)
