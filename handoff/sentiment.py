"""A small lexicon-based sentiment of the customer's words (es + en): score in [-1, 1] and a label."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["score"]

_POSITIVE = frozenset(
    [
        "gracias",
        "genial",
        "perfecto",
        "bien",
        "buena",
        "bueno",
        "excelente",
        "encantado",
        "encantada",
        "estupendo",
        "contento",
        "contenta",
        "feliz",
        "rapido",
        "amable",
        "ok",
        "vale",
        "fantastico",
        "maravilloso",
        "thanks",
        "thank",
        "great",
        "perfect",
        "good",
        "excellent",
        "happy",
        "love",
        "nice",
        "awesome",
        "fine",
        "glad",
        "helpful",
    ]
)
_NEGATIVE = frozenset(
    [
        "mal",
        "malo",
        "mala",
        "fatal",
        "horrible",
        "terrible",
        "pesimo",
        "pesima",
        "desastre",
        "queja",
        "enfadado",
        "enfadada",
        "harto",
        "harta",
        "molesto",
        "molesta",
        "nunca",
        "roto",
        "rota",
        "tarde",
        "retraso",
        "estafa",
        "timo",
        "verguenza",
        "inutil",
        "basura",
        "mierda",
        "idiota",
        "problema",
        "problemas",
        "error",
        "cancelar",
        "reclamacion",
        "decepcionado",
        "decepcionada",
        "lento",
        "bad",
        "awful",
        "terrible",
        "horrible",
        "worst",
        "broken",
        "late",
        "delay",
        "angry",
        "upset",
        "useless",
        "scam",
        "rubbish",
        "problem",
        "never",
        "complaint",
        "disappointed",
        "slow",
        "wrong",
        "refund",
    ]
)
# Neutral alone ("¿cómo funciona?"), negative when negated ("no me sirve", "it doesn't work").
_NEGATIVE_WHEN_NEGATED = frozenset(["sirve", "sirvio", "funciona", "funciono", "work", "works", "worked"])
_NEGATORS = frozenset(
    {"no", "nada", "nunca", "ni", "not", "never", "dont", "don't", "doesn't", "didn't", "isn't", "won't"}
)
_TOKEN = re.compile(r"[a-zñ']+")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def score(texts: list[str]) -> dict[str, float | str]:
    """{"score": -1..1, "label": "negative"|"neutral"|"positive"} over the customer's messages.

    A positive word up to three words after a negator counts as negative ("no funciona bien"), and so
    do "sirve", "funciona", "work"... which alone say nothing ("no me sirve", "it doesn't work").
    """
    pos = neg = 0
    for text in texts:
        words = _TOKEN.findall(_fold(text))
        for i, word in enumerate(words):
            negated = any(w in _NEGATORS for w in words[max(0, i - 3) : i])
            if word in _NEGATIVE_WHEN_NEGATED:
                neg += 1 if negated else 0
            elif word in _POSITIVE:
                if negated:
                    neg += 1
                else:
                    pos += 1
            elif word in _NEGATIVE:
                neg += 1
        shouting = [c for c in text if c.isalpha()]
        if len(shouting) >= 8 and all(c.isupper() for c in shouting):
            neg += 1
    total = pos + neg
    value = 0.0 if total == 0 else round((pos - neg) / total, 2)
    label = "negative" if value <= -0.25 else "positive" if value >= 0.25 else "neutral"
    return {"score": value, "label": label}
