"""Candidates from patterns.py, kept when validators.py accepts them, overlaps resolved, then masked."""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable, Iterator
from typing import NamedTuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from hub.pii import patterns, validators

LABELS = ("DNI", "NIE", "IBAN", "CARD", "PHONE", "EMAIL", "ADDRESS")
# Equal lengths: the stricter check wins (a 24-character IBAN over anything inside it).
PRIORITY = {label: i for i, label in enumerate(("IBAN", "CARD", "NIE", "DNI", "EMAIL", "PHONE", "ADDRESS"))}
# Text handed to the tokenizer at once; longer text is cut at whitespace (spaCy refuses > 1,000,000).
CHUNK_CHARS = 200_000
OVERLAP_CHARS = 1_000
_TRAILING = {",", ".", "-", "/", "(", ";", ":"}
_DIGIT_OR_AT = re.compile(r"[\d@]")


class Span(NamedTuple):
    """Characters ``text[start:end]`` are a datum of kind ``label`` (one of LABELS)."""

    start: int
    end: int
    label: str


class _Pipeline:
    """spaCy's Spanish tokenizer (blank pipeline: nothing to download) and the token matcher."""

    def __init__(self) -> None:
        self.nlp: Language = spacy.blank("es")
        # "tlf:622334455", "tel.612345678", "movil=612345678": the label is cut off its number.
        infixes = [*(self.nlp.Defaults.infixes or ()), patterns.LABEL_NUMBER_INFIX]
        tokenizer: Tokenizer = self.nlp.tokenizer
        tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        self.matcher: Matcher = patterns.build_matcher(self.nlp.vocab)
        self.address = self.nlp.vocab.strings["ADDRESS"]
        self.number = self.nlp.vocab.strings["NUMBER"]


_pipeline: _Pipeline | None = None
# Built once, on first use. Calls are serialised too: the tokenizer's cache and the matcher are not
# documented as thread-safe, and under the GIL the lock costs nothing a thread could have used.
_lock = threading.Lock()


def _get_pipeline() -> _Pipeline:
    global _pipeline
    if _pipeline is None:
        with _lock:
            if _pipeline is None:
                _pipeline = _Pipeline()
    return _pipeline


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """Windows of CHUNK_CHARS cut at whitespace, each running OVERLAP_CHARS into the next, so a datum
    across a cut is seen whole by one window (duplicates and cut-off parts lose in _resolve)."""
    start = 0
    while len(text) - start > CHUNK_CHARS:
        cut = text.rfind(" ", start + 1, start + CHUNK_CHARS)
        cut = cut if cut > start else start + CHUNK_CHARS
        stop = text.find(" ", cut + OVERLAP_CHARS)
        yield start, text[start : stop if stop > 0 else len(text)]
        start = cut
    yield start, text[start:]


def _regex_candidates(text: str) -> Iterator[Span]:
    simple: list[tuple[re.Pattern[str], str, Callable[[str], bool]]] = [
        (patterns.EMAIL_RE, "EMAIL", lambda s: True),
        (patterns.DNI_RE, "DNI", validators.dni_ok),
        (patterns.NIE_RE, "NIE", validators.nie_ok),
    ]
    for regex, label, ok in simple:
        for m in regex.finditer(text):
            if ok(m.group()):
                yield Span(m.start(), m.end(), label)
    for m in patterns.IBAN_RUN_RE.finditer(text):
        iban = _iban_in_run(m.group())
        if iban:
            yield Span(m.start(), m.start() + iban, "IBAN")


def _iban_in_run(run: str) -> int:
    """Length of the IBAN at the start of ``run`` (0 if none): the country's length, or the longest
    mod-97-valid prefix for countries not in the table."""
    ends = [i + 1 for i, ch in enumerate(run) if ch.isalnum()]  # end of the n-th alphanumeric
    known = validators.IBAN_LENGTHS.get(run[:2].upper())
    lengths = [known] if known else range(min(34, len(ends)), 14, -1)
    for n in lengths:
        if n <= len(ends) and validators.iban_ok(run[: ends[n - 1]]):
            return ends[n - 1]
    return 0


def _token_candidates(pipeline: _Pipeline, doc: Doc, offset: int) -> Iterator[Span]:
    text = doc.text
    for match_id, s, e in pipeline.matcher(doc):
        span = doc[s:e]
        if match_id == pipeline.address:
            while len(span) > 1 and span[-1].text in _TRAILING:
                span = span[:-1]
            yield Span(offset + span.start_char, offset + span.end_char, "ADDRESS")
            continue
        value = text[span.start_char : span.end_char]
        start_char = span.start_char
        if value.startswith("(") and ")" not in value:  # "(612 345 678" : the bracket is not the number's
            start_char += 1
        elif ")" in value.split("(")[0] and text[start_char - 1 : start_char] == "(":  # "(+34)612..."
            start_char -= 1
        before = {t.lower_ for t in doc[max(0, s - 3) : s]}
        if before & patterns.REFERENCE_WORDS and not before & patterns.CONTACT_WORDS:
            continue
        if e < len(doc) and doc[e].lower_ in patterns.CURRENCY:
            continue
        if validators.card_ok(value):
            yield Span(offset + start_char, offset + span.end_char, "CARD")
        elif validators.phone_ok(value):
            prefix = patterns.BRACKETED_PREFIX_RE.search(text, max(0, start_char - 12), start_char)
            if prefix and validators.phone_ok(prefix.group() + value):
                start_char = prefix.start()
            yield Span(offset + start_char, offset + span.end_char, "PHONE")


def _resolve(candidates: list[Span]) -> list[Span]:
    """Longest first (then the stricter label), never two overlapping; returned in text order."""
    ordered = sorted(set(candidates), key=lambda c: (c.start - c.end, PRIORITY[c.label], c.start))
    starts: list[int] = []
    kept: list[Span] = []
    for c in ordered:
        i = bisect.bisect_right(starts, c.start)
        if i > 0 and kept[i - 1].end > c.start:
            continue
        if i < len(kept) and kept[i].start < c.end:
            continue
        starts.insert(i, c.start)
        kept.insert(i, c)
    return kept


def find_personal_data(text: str) -> list[Span]:
    """Every validated datum in ``text``, in order, none overlapping."""
    if not _DIGIT_OR_AT.search(text):  # every kind, addresses included, needs a digit or an @
        return []
    candidates = list(_regex_candidates(text))
    pipeline = _get_pipeline()
    with _lock:
        for offset, chunk in _chunks(text):
            candidates.extend(_token_candidates(pipeline, pipeline.nlp.make_doc(chunk), offset))
    return _resolve(candidates)


def mask(text: str) -> str:
    """``text`` with each datum replaced by its placeholder: [DNI], [NIE], [IBAN], [CARD], [PHONE],
    [EMAIL], [ADDRESS]. Everything else is kept as it was."""
    spans = find_personal_data(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for span in spans:
        parts.append(text[last : span.start])
        parts.append(f"[{span.label}]")
        last = span.end
    parts.append(text[last:])
    return "".join(parts)
