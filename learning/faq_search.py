"""Search the FAQ's entries from the console (the agent labels a question with the FAQ that answers it).

The entries are read with the knowledge base's own catalog (KB_PATH, the files the index is built from) and
read again when a file changes. Matching is on words, accents and case ignored: each query word found in
an entry's id, question, alternative questions or category counts, prefixes too ("devol" finds
"devolución"); the question counts double. No embeddings here: the hub process stays light.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learning.texts import strip_accents

__all__ = ["FaqCatalog", "Hit"]

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset({
    "el", "la", "los", "las", "un", "una", "de", "del", "y", "o", "a", "en", "que", "por", "para", "con",
    "mi", "me", "se", "es", "lo", "al", "como", "the", "an", "of", "to", "and", "or", "is", "in", "on",
    "for", "my", "i", "do", "does", "can", "how", "what",
})


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(strip_accents(text.lower())) if w not in _STOP]


@dataclass(frozen=True)
class Hit:
    id: str
    lang: str
    question: str
    category: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "lang": self.lang, "question": self.question, "category": self.category,
                "score": round(self.score, 3)}


class FaqCatalog:
    """The FAQ's entries, loaded lazily and again when their files change."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._catalog: Any = None

    def _load(self) -> Any:
        from knowledge_base.catalog import Catalog, files_stamp
        from knowledge_base.settings import KBSettings

        settings = KBSettings()
        path = self._path or settings.path
        with self._lock:
            if self._catalog is None or files_stamp(path) != self._catalog.stamp:
                self._catalog = Catalog.load(path, settings.languages)
            return self._catalog

    def exists(self, entry_id: str) -> bool:
        return self._load().get(entry_id) is not None

    def get(self, entry_id: str, lang: str) -> Any:
        """The entry in ``lang`` (else in another language); None if unknown."""
        return self._load().get(entry_id, lang)

    def search(self, query: str, *, lang: str | None = None, limit: int = 8) -> list[Hit]:
        """Entries best first, one per id (in ``lang`` when it has that version); an empty query lists
        the first ``limit`` entries."""
        catalog = self._load()
        wanted = _words(query)
        best: dict[str, Hit] = {}
        for entry in catalog.entries:
            score = _score(wanted, entry) if wanted else 1.0
            if score <= 0:
                continue
            hit = Hit(entry.id, entry.lang, entry.question, entry.category, score)
            held = best.get(entry.id)
            if held is None or (entry.lang == lang and held.lang != lang) or (
                held.lang != lang and score > held.score
            ):
                best[entry.id] = hit
        hits = sorted(best.values(), key=lambda h: (-h.score, h.id))
        return hits[:limit]


def _score(wanted: list[str], entry: Any) -> float:
    question = set(_words(entry.question))
    rest = set(_words(" ".join((entry.id.replace("-", " "), *entry.alt_questions, entry.category))))
    total = 0.0
    for word in wanted:
        if word in question:
            total += 2
        elif any(w.startswith(word) for w in question):
            total += 1.5
        elif word in rest or any(w.startswith(word) for w in rest):
            total += 1
    return total / (2 * len(wanted))
