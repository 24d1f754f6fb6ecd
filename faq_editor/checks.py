"""The checks shown while an entry is edited and run again on save.

Problems block saving: an empty question or answer, a malformed id, language or URL, an id already used in
that language, a question (or alternative) that another entry already has word for word (ignoring case,
accents and punctuation). A warning does not block: a phrasing of the draft that the knowledge base already
scores close to *another* entry, i.e. at or above that entry's answer threshold, so customers asking it may
get the other answer (docs/faq_editor.md, "Too close", says why that threshold).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from faq_editor.entry_writer import EntryFields
from knowledge_base import Entry

__all__ = ["Checks", "Close", "Problem", "duplicates_and_fields", "phrasings", "same_text"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_QUESTION, MAX_ANSWER, MAX_ALTS = 300, 5000, 100

_TEXTS: dict[str, tuple[str, str]] = {
    "empty_question": ("Escribe la pregunta.", "Write the question."),
    "empty_answer": (
        "Escribe la respuesta: una entrada sin respuesta no se puede publicar.",
        "Write the answer: an entry without one cannot be published.",
    ),
    "bad_id": (
        "El identificador solo puede llevar minúsculas sin tilde, números, '-' y '_' (máx. 80).",
        "The id may only hold lower-case letters without accents, digits, '-' and '_' (max 80).",
    ),
    "bad_lang": ("Idioma no admitido en esta base de conocimiento.", "Language not supported by this FAQ."),
    "bad_url": (
        "El enlace debe empezar por http:// o https://.",
        "The link must start with http:// or https://.",
    ),
    "too_long": ("Demasiado largo.", "Too long."),
    "duplicate_id": (
        "Ya existe una entrada con este identificador en este idioma.",
        "An entry with this id already exists in this language.",
    ),
    "duplicate_question": (
        "Otra entrada ya tiene esta pregunta.",
        "Another entry already has this question.",
    ),
    "repeated_alternative": (
        "Esta pregunta alternativa está repetida.",
        "This alternative question is repeated.",
    ),
}


@dataclass(frozen=True)
class Problem:
    """Blocks saving. ``field`` names the form field (``alt_questions.2`` for the third alternative)."""

    code: str
    field: str
    message_es: str
    message_en: str
    other_id: str | None = None


@dataclass(frozen=True)
class Close:
    """A warning: ``phrasing`` of the draft scores ``score`` for another entry (its answer threshold)."""

    phrasing: str
    field: str
    other_id: str
    other_lang: str
    other_question: str
    score: float
    threshold: float
    code: str = "too_close"


@dataclass
class Checks:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Close] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problem(code: str, field_name: str, other_id: str | None = None) -> Problem:
    es, en = _TEXTS[code]
    return Problem(code, field_name, es, en, other_id)


def same_text(text: str) -> str:
    """What "the same question" means: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


def phrasings(draft: EntryFields) -> list[tuple[str, str]]:
    """(field, text) of the draft's question and every alternative, blanks skipped."""
    out = [("question", draft.question.strip())] if draft.question.strip() else []
    out += [(f"alt_questions.{i}", a.strip()) for i, a in enumerate(draft.alt_questions) if a.strip()]
    return out


def duplicates_and_fields(
    draft: EntryFields,
    original: tuple[str, str] | None,
    entries: tuple[Entry, ...],
    languages: tuple[str, ...],
) -> list[Problem]:
    """Every blocking problem of ``draft`` among ``entries`` (``original``: the version being edited)."""
    found: list[Problem] = []
    if not draft.question.strip():
        found.append(_problem("empty_question", "question"))
    elif len(draft.question) > MAX_QUESTION:
        found.append(_problem("too_long", "question"))
    if not draft.answer.strip():
        found.append(_problem("empty_answer", "answer"))
    elif len(draft.answer) > MAX_ANSWER:
        found.append(_problem("too_long", "answer"))
    if len(draft.alt_questions) > MAX_ALTS:
        found.append(_problem("too_long", "alt_questions"))
    if not ID_PATTERN.match(draft.id):
        found.append(_problem("bad_id", "id"))
    if draft.lang not in languages:
        found.append(_problem("bad_lang", "lang"))
    if draft.url and not URL_PATTERN.match(draft.url.strip()):
        found.append(_problem("bad_url", "url"))
    others = [e for e in entries if (e.id, e.lang) != original]
    if any((e.id, e.lang) == (draft.id, draft.lang) for e in others):
        found.append(_problem("duplicate_id", "id", draft.id))
    taken: dict[str, str] = {}
    for e in others:
        if e.lang == draft.lang:
            for q in e.questions:
                taken.setdefault(same_text(q), e.id)
    seen: set[str] = set()
    for name, text in phrasings(draft):
        key = same_text(text)
        if key in taken:
            found.append(_problem("duplicate_question", name, taken[key]))
        elif key in seen:
            found.append(_problem("repeated_alternative", name))
        seen.add(key)
    return found
