"""Reading the customer's reply to a survey: a score (clicked or typed), a comment, or something else.

A reply that is not a rating (a new question) is not forced into the survey: the caller drops the
survey and the bot answers the message."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from surveys.texts import CSAT_WORDS, FACES

__all__ = ["Rating", "declines_comment", "is_goodbye", "looks_like_question", "rating"]

_RANGES = {"csat": (1, 5), "nps": (0, 10)}
# "4", "4/5", "8 de 10", "4 - muy amables", "4, gracias"
_SCORE = re.compile(
    r"^\s*(?P<score>\d{1,2})(?:\s*(?:/|de|of|out of)\s*(?:5|10))?\s*(?:[.,:;!·\-–—)]+\s*|\s+|$)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_QUESTION_WORDS = {
    "que", "como", "cuando", "donde", "cual", "cuanto", "cuantos", "por que", "puedo", "quiero", "necesito",
    "tienen", "hay", "what", "how", "when", "where", "which", "can", "could", "do", "does", "is", "are",
    "i need", "i want", "why",
}


@dataclass(frozen=True)
class Rating:
    score: int
    comment: str | None = None


def _plain(text: str) -> str:
    """Lower-case, without accents and outer punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(" \t\n.!¡¿?,;:")


def looks_like_question(text: str) -> bool:
    """A question mark, or a first word (or two) that opens a request ("dónde está mi pedido")."""
    words = _plain(text).split()
    opens = bool(words) and (words[0] in _QUESTION_WORDS or " ".join(words[:2]) in _QUESTION_WORDS)
    return "?" in text or opens


def rating(text: str, kind: str) -> Rating | None:
    """The score in a reply (and, for CSAT, a comment typed after it); None when it is not a rating."""
    low, high = _RANGES[kind]
    stripped = text.strip()
    if kind == "csat":
        for index, face in enumerate(FACES):
            if stripped.startswith(face):
                stripped = str(index + 1) + stripped[len(face) :]
                break
    match = _SCORE.match(stripped)
    if match is None:
        return None
    score = int(match["score"])
    rest = match["rest"].strip()
    if not low <= score <= high:
        return None
    if rest and (kind != "csat" or looks_like_question(rest)):
        return None  # "2 camisetas talla M?" is an order, not a rating
    if kind == "csat" and _plain(rest) in {str(score), *(_plain(w[score - 1]) for w in CSAT_WORDS.values())}:
        rest = ""  # a button's title typed out ("5 · Excelente", "😄 5")
    return Rating(score, rest or None)


_DECLINES = {
    "no", "no gracias", "nada", "no nada", "ninguno", "todo bien", "no thanks", "no thank you", "nothing",
    "none", "all good", "skip", "no, gracias", "no, thanks",
}


def declines_comment(text: str) -> bool:
    return _plain(text) in _DECLINES or _plain(text).replace(",", "") in _DECLINES


_GOODBYE_MARKERS = (
    "gracias", "adios", "chao", "chau", "hasta luego", "hasta pronto", "hasta manana", "nos vemos",
    "thanks", "thank you", "thx", "bye", "goodbye", "see you", "cheers",
)
# Words that may come with a goodbye without making it a new request.
_FILLER = {
    "muchas", "mil", "muchisimas", "por", "todo", "la", "tu", "su", "vuestra", "ayuda", "perfecto",
    "perfecta", "genial", "vale", "ok", "okay", "listo", "muy", "amable", "amables", "bueno", "buena",
    "pues", "un", "una", "saludo", "saludos", "buen", "buenas", "dia", "dias", "tarde", "tardes",
    "noche", "noches", "eso", "es", "era", "y", "de", "nuevo", "igualmente", "super", "great",
    "perfect", "so", "much", "very", "for", "your", "the", "help", "everything", "that's", "thats",
    "all", "is", "it", "was", "and", "a", "nice", "day", "good", "have", "again", "you",
}


def is_goodbye(text: str) -> bool:
    """A short goodbye or thanks with nothing else asked ("muchas gracias por la ayuda", "adiós",
    "thanks, bye"); "gracias, pero no funciona" or a question is not one."""
    if "?" in text or len(text) > 120:
        return False
    plain = re.sub(r"[^\w\s']", " ", _plain(text))
    rest = f" {' '.join(plain.split())} "
    found = False
    for marker in _GOODBYE_MARKERS:
        if f" {marker} " in rest:
            found = True
            rest = rest.replace(f" {marker} ", " ")
    return found and all(word in _FILLER for word in rest.split())
