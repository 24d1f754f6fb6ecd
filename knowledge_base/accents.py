"""Accents put back on a customer's words, from the FAQ's own vocabulary.

Customers type ``envio``, ``numero``, ``devolucion``; the FAQ says ``envío``, ``número``,
``devolución``, and the embedding model splits the two spellings into different word pieces.
Every accented word of the FAQ whose plain spelling the FAQ never uses is a safe repair
(``esta``/``está`` both appear in most FAQs, so neither is touched).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge_base.normalizer import strip_accents

__all__ = ["accent_map", "restore_accents"]

_WORD = re.compile(r"\w+", re.UNICODE)


def accent_map(texts: Iterable[str]) -> dict[str, str]:
    """plain spelling -> the one accented spelling the FAQ uses for it."""
    words = {w for t in texts for w in _WORD.findall(t.lower())}
    by_plain: dict[str, set[str]] = {}
    for w in words:
        plain = strip_accents(w)
        if plain != w:
            by_plain.setdefault(plain, set()).add(w)
    return {plain: next(iter(forms)) for plain, forms in by_plain.items()
            if len(forms) == 1 and plain not in words}


def restore_accents(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    return _WORD.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
