"""Normalisation of text the way customers write it (chat, WhatsApp) before embedding.

``normalize("Holaaa xq no me llega el pedido??", "es")`` -> ``"hola porque no me llega el pedido?"``.
Case, ``¿¡``, elongated letters, repeated punctuation and common chat abbreviations are
normalised; accents are kept by default (the embedding models know them) unless
``strip_accents=True``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ABBREVIATIONS", "NORMALIZER_VERSION", "normalize", "strip_accents"]

NORMALIZER_VERSION = "2"

ABBREVIATIONS: dict[str, dict[str, str]] = {
    "es": {
        "q": "que", "k": "que", "ke": "que", "qe": "que",
        "xq": "porque", "pq": "porque", "pk": "porque", "xk": "porque", "porq": "porque",
        "x": "por", "xa": "para", "pa": "para",
        "dnd": "donde", "d": "de",
        "tb": "también", "tmb": "también", "tbn": "también", "tambn": "también",
        "xfa": "por favor", "xfavor": "por favor", "porfa": "por favor", "pf": "por favor",
        "plis": "por favor", "pls": "por favor",
        "msj": "mensaje", "msg": "mensaje", "info": "información",
        "cel": "celular", "tlf": "teléfono", "tfno": "teléfono", "tel": "teléfono",
        "bn": "bien", "mñn": "mañana", "mñna": "mañana", "sq": "es que",
        "hr": "hora", "hrs": "horas", "min": "minutos", "n": "no", "nd": "nada",
        "tmpc": "tampoco", "ntp": "no te preocupes", "gral": "general",
        "grax": "gracias", "grs": "gracias", "thx": "gracias", "xo": "pero",
        "toy": "estoy", "ta": "está", "tan": "están", "ps": "pues",
        "cdo": "cuando", "qdo": "cuando", "cnt": "cuánto", "cto": "cuánto",
        "cm": "como", "kiero": "quiero", "qiero": "quiero", "aki": "aquí", "aca": "acá",
        "wasap": "whatsapp", "guasap": "whatsapp", "wassap": "whatsapp", "whasap": "whatsapp",
        "whatsap": "whatsapp", "wsp": "whatsapp", "wpp": "whatsapp", "whats": "whatsapp",
    },
    "en": {
        "u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please",
        "thx": "thanks", "ty": "thank you", "cuz": "because", "bc": "because", "b4": "before",
        "2day": "today", "2morrow": "tomorrow", "msg": "message", "info": "information",
        "w/": "with", "w/o": "without", "idk": "i don't know", "im": "i'm", "cant": "can't",
        "dont": "don't", "wont": "won't", "didnt": "didn't", "doesnt": "doesn't",
        "hrs": "hours", "asap": "as soon as possible", "acc": "account", "pw": "password",
        "addr": "address", "tmrw": "tomorrow", "wat": "what", "wut": "what", "ppl": "people",
        "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't",
        "havent": "haven't", "hasnt": "hasn't", "hadnt": "hadn't", "couldnt": "couldn't",
        "wouldnt": "wouldn't", "shouldnt": "shouldn't", "ive": "i've", "youre": "you're",
        "theyre": "they're", "thats": "that's", "whats": "what's", "wheres": "where's",
        "hows": "how's", "theres": "there's", "itll": "it'll",
    },
}

_TOKEN = re.compile(r"[\w/']+|[^\w\s]", re.UNICODE)
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)
_REPEATED_PUNCT = re.compile(r"([^\w\s])\1+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """``"envío, pequeño"`` -> ``"envio, pequeno"`` (every combining mark removed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str, lang: str | None = "es", *, accents: bool = True) -> str:
    """Normalise one customer message; ``lang`` selects the abbreviation table."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("¿", " ").replace("¡", " ")
    text = _ELONGATED.sub(r"\1", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    table = ABBREVIATIONS.get(lang or "es", {})
    if table:
        text = " ".join(table.get(tok, tok) for tok in _TOKEN.findall(text))
        text = re.sub(r"\s+([?!.,;:])", r"\1", text)
    if not accents:
        text = strip_accents(text)
    return _SPACES.sub(" ", text).strip()
