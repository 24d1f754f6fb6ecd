"""One FAQ entry in one language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["Entry"]


@dataclass(frozen=True)
class Entry:
    """A question with its answer; the same ``id`` ties the language versions of one entry."""

    id: str
    lang: str
    question: str
    answer: str
    alt_questions: tuple[str, ...] = ()
    category: str = ""
    url: str | None = None
    updated: dt.date | None = None
    source: str = field(default="", compare=False)  # "file:line" the entry was read from
    #: labelled customer queries for this entry (``cross_fit.py``): indexed as example rows
    #: only, never appended to the full-entry passage or offered as the entry's question
    examples: tuple[str, ...] = ()

    @property
    def questions(self) -> tuple[str, ...]:
        """The main question followed by every alternative phrasing."""
        return (self.question, *self.alt_questions)
