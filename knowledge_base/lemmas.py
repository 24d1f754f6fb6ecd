"""Content-word lemmas for the lexical channel, from spaCy's lookup tables (no model download).

``lemma_words("me mude y quiero llevarme la fibra", "es")`` -> ``["mudar", "querer", "llevarme",
"fibra"]``: stop words out, every inflected form mapped to one lemma, so "facturas", "factura" and
"facturé" meet. The lookup tables ship in the ``spacy-lookups-data`` package (spaCy's own lemma
lookups; crude on ambiguous forms, e.g. "pedido" -> "pedir", but the same on both sides, which is
all a lexical match needs). Customers write without accents, so forms are looked up accent-free.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import json
import re
from importlib import resources

from knowledge_base.normalizer import normalize, strip_accents

__all__ = ["lemma_words"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LANGS = ("es", "en")


@functools.cache
def _table(lang: str) -> tuple[dict[str, str], frozenset[str]]:
    """Accent-free form -> accent-free lemma, and the accent-free stop words, for ``lang``."""
    data = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
    table: dict[str, str] = json.loads(gzip.decompress(data.read_bytes()))
    forms: dict[str, str] = {}
    for form, lemma in table.items():
        forms.setdefault(strip_accents(form.lower()), strip_accents(lemma.lower()))
    stop_words = importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS
    return forms, frozenset(strip_accents(w) for w in stop_words)


def lemma_words(text: str, lang: str | None) -> list[str]:
    """The accent-free lemmas of the text's content words (unknown words as they are)."""
    lang = lang if lang in _LANGS else "es"
    forms, stop = _table(lang)
    words = _WORD.findall(strip_accents(normalize(text, lang)))
    return [forms.get(w, w) for w in words if w not in stop]
