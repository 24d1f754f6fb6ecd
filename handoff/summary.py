"""A short extractive summary of what the customer wants: their most telling sentences, verbatim."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

__all__ = ["summarize"]

_STOP = frozenset(
    [
        "a",
        "al",
        "algo",
        "con",
        "de",
        "del",
        "el",
        "en",
        "es",
        "esta",
        "este",
        "esto",
        "la",
        "las",
        "le",
        "lo",
        "los",
        "me",
        "mi",
        "mis",
        "muy",
        "no",
        "o",
        "para",
        "pero",
        "por",
        "que",
        "se",
        "si",
        "su",
        "sus",
        "te",
        "tu",
        "un",
        "una",
        "uno",
        "y",
        "ya",
        "hola",
        "buenas",
        "gracias",
        "favor",
        "porfa",
        "quiero",
        "necesito",
        "the",
        "a",
        "an",
        "and",
        "are",
        "at",
        "be",
        "but",
        "can",
        "do",
        "for",
        "have",
        "hello",
        "hi",
        "i",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "please",
        "that",
        "the",
        "to",
        "want",
        "need",
        "with",
        "you",
        "your",
        "thanks",
    ]
)
_SENTENCE = re.compile(r"(?<=[.!?¿¡\n])\s+")
_WORD = re.compile(r"[a-zñ0-9-]+")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(_fold(text)) if w not in _STOP and len(w) > 2]


def summarize(texts: list[str], *, max_sentences: int = 2, max_chars: int = 280) -> str:
    """The customer's ``max_sentences`` highest-scoring sentences (word frequency), in their order."""
    sentences = [s.strip() for text in texts for s in _SENTENCE.split(text) if s.strip()]
    sentences = [s for s in sentences if _content(s)]
    if not sentences:
        return ""
    freq = Counter(w for s in sentences for w in set(_content(s)))
    scored = [
        (sum(freq[w] for w in set(_content(s))) / (1 + len(_content(s)) ** 0.5), i)
        for i, s in enumerate(sentences)
    ]
    best = sorted(i for _score, i in sorted(scored, reverse=True)[:max_sentences])
    text = " ".join(sentences[i] for i in best)
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
