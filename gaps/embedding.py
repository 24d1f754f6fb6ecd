"""The questions' vectors: the knowledge base's own embedder (``KB_EMBEDDER``/``KB_MODEL``, the same model
that answers customers), opened on first use and wrapped in the KB's on-disk vector cache
(``<KB_INDEX_DIR>-gaps-cache``), so a question is embedded once however often the report is opened.
Each question is normalised first with the KB's own query normaliser (chat abbreviations, case, elongated
letters), as the KB does before it embeds a customer's query: informal wordings of one question meet more
often at the same purity (docs/benchmarks/gap_clustering.md, "Levers")."""

from __future__ import annotations

import threading

import numpy as np

from knowledge_base import KBSettings
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import Embedder, make_embedder
from knowledge_base.normalizer import normalize

__all__ = ["Vectors", "prepared"]


def prepared(text: str, lang: str) -> str:
    """The text embedded for a question: ``"holaaa xq no llega mi pedido??"`` -> ``"hola porque no llega mi
    pedido?"`` (``lang`` picks the abbreviation table; accents kept, as the KB keeps them)."""
    return normalize(text, lang)


class Vectors:
    def __init__(self, embedder: Embedder | None = None, settings: KBSettings | None = None) -> None:
        self._given = embedder
        self._settings = settings
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()

    def _open(self) -> Embedder:
        if self._embedder is None:
            settings = self._settings or KBSettings()
            inner = self._given or make_embedder(settings)
            if not isinstance(inner, CachedEmbedder):
                index = settings.index_dir
                inner = CachedEmbedder(inner, index.with_name(index.name + "-gaps-cache"))
            self._embedder = inner
        return self._embedder

    def of(self, texts: list[str], lang: str) -> np.ndarray:
        """Unit vectors of customer questions in ``lang`` (normalised, embedded as queries), one row per
        text. Blocking: call it off the event loop."""
        with self._lock:
            embedder = self._open()
            vectors = embedder.embed_queries([prepared(t, lang) for t in texts])
            if isinstance(embedder, CachedEmbedder) and embedder is not self._given:
                embedder.save()
            return vectors
