"""Build Graph API bodies for outgoing WhatsApp messages, within WhatsApp's limits.

- text: at most 4,096 characters per message; longer texts are split at sentence boundaries.
- bot options: up to 3 whose titles fit -> interactive reply buttons (titles <= 20 chars); more, or a
  title that a button would cut ("¿Enviáis a…") -> an interactive list (<= 10 rows, titles <= 24
  chars, the full title as the row description, <= 72 chars).
  Interactive bodies hold 1,024 characters; text before that goes out as plain messages first.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "BODY_LIMIT",
    "TEXT_LIMIT",
    "clip",
    "messages_for",
    "read_receipt",
    "split_text",
    "template",
]

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")

_WORDS = {
    "es": {"choose": "Elige una opción:", "options": "Ver opciones"},
    "en": {"choose": "Choose an option:", "options": "See options"},
}


def clip(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending in "…" (after a whole word) when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and cut.rfind(" ") >= limit // 2:
        cut = cut[: cut.rfind(" ")]  # end on a whole word when that keeps at least half
    return cut.rstrip() + "…"


def _pieces(text: str) -> list[str]:
    """Sentences (with the whitespace that followed them kept on the left piece)."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _hard_split(piece: str, limit: int) -> list[str]:
    """A sentence longer than ``limit``: split between words, or inside a word if it must."""
    out: list[str] = []
    while len(piece) > limit:
        cut = piece.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        out.append(piece[:cut])
        piece = piece[cut:].lstrip(" ")
    if piece:
        out.append(piece)
    return out


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks of at most ``limit`` characters, cut after a sentence wherever possible."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text):
        if len(current) + len(piece) <= limit:
            current += piece
            continue
        if current.strip():
            chunks.append(current.rstrip())
        current = ""
        for part in _hard_split(piece, limit):
            if len(current) + len(part) <= limit:
                current += part
            else:
                chunks.append(current.rstrip())
                current = part
    if current.strip():
        chunks.append(current.rstrip())
    return [c for c in chunks if c]


def _envelope(to: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: body,
    }


def _options(buttons: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(id, title) of each distinct option, in order."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title).strip()
        if not (title or payload) or payload in seen:
            continue
        seen.add(payload)
        out.append((payload, title or payload))
    return out


def _fits(title: str, limit: int) -> bool:
    return len(" ".join(title.split())) <= limit


def _interactive(to: str, body: str, options: list[tuple[str, str]], language: str) -> dict[str, Any]:
    words = _WORDS.get(language, _WORDS["es"])
    body = body.strip() or words["choose"]
    if len(options) <= MAX_BUTTONS and all(_fits(title, BUTTON_TITLE) for _, title in options):
        titles: set[str] = set()
        buttons = []
        for payload, title in options:
            short = clip(title, BUTTON_TITLE)
            if short in titles:  # WhatsApp rejects duplicate button titles
                short = clip(f"{len(titles) + 1}. {title}", BUTTON_TITLE)
            titles.add(short)
            buttons.append({"type": "reply", "reply": {"id": payload[:256], "title": short}})
        return _envelope(
            to, "interactive", {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
        )
    rows = []
    for payload, title in options[:MAX_ROWS]:
        row: dict[str, Any] = {"id": payload[:200], "title": clip(title, ROW_TITLE)}
        if not _fits(title, ROW_TITLE):
            row["description"] = clip(title, ROW_DESCRIPTION)
        rows.append(row)
    action = {"button": clip(words["options"], BUTTON_TITLE), "sections": [{"rows": rows}]}
    return _envelope(to, "interactive", {"type": "list", "body": {"text": body}, "action": action})


def messages_for(
    to: str, text: str, buttons: list[dict[str, Any]], *, language: str = "es"
) -> list[dict[str, Any]]:
    """The Graph bodies (in order) that deliver one hub message to ``to``."""
    options = _options(buttons)
    if not options:
        return [
            _envelope(to, "text", {"body": chunk, "preview_url": False})
            for chunk in split_text(text)
            if chunk
        ]
    chunks = split_text(text, BODY_LIMIT) if text.strip() else [""]
    leading = [_envelope(to, "text", {"body": chunk, "preview_url": False}) for chunk in chunks[:-1]]
    return [*leading, _interactive(to, chunks[-1], options, language)]


def template(to: str, name: str, language: str) -> dict[str, Any]:
    """A template message (allowed outside the 24-hour customer-service window)."""
    return _envelope(to, "template", {"name": name, "language": {"code": language}})


def read_receipt(wamid: str) -> dict[str, Any]:
    """Mark an incoming message read and show "typing…" (one call)."""
    return {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": wamid,
        "typing_indicator": {"type": "text"},
    }
