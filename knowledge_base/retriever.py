"""Dense retrieval collapsed by entry id: nearest example combined with the full-entry row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.embedder import Embedder
from knowledge_base.rows import FULL, RowTable, TextRecipe
from knowledge_base.vector_index import VectorIndex

__all__ = ["Hit", "Retriever"]


@dataclass(frozen=True)
class Hit:
    """One entry's score for one query: ``w * full + (1 - w) * example``."""

    entry_id: str
    score: float
    full: float  # best full-entry row (question + paraphrases + answer), any language
    example: float  # best single question phrasing, any language
    lang: str  # language of the row that matched best


class Retriever:
    """Scores entries for queries; all languages are searched and collapsed by entry id."""

    def __init__(
        self, embedder: Embedder, index: VectorIndex, table: RowTable, recipe: TextRecipe
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.table = table
        self.recipe = recipe

    def embed(self, queries: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
        texts = [self.recipe.query(q, lang) for q, lang in zip(queries, langs, strict=True)]
        return self.embedder.embed_queries(texts)

    def search(
        self,
        vectors: np.ndarray,
        full_weight: float,
        k: int = 10,
        pool: int = 64,
        exclude: Sequence[str | None] | None = None,
    ) -> list[list[Hit]]:
        """Best ``k`` entries for each query vector, best first; ``exclude[i]`` is an entry id
        query i must not see (used to simulate out-of-scope queries from the KB itself)."""
        if len(self.index) == 0:
            return [[] for _ in range(len(vectors))]
        _, row_ids = self.index.search(vectors, pool + (self._widest if exclude else 0))
        skip = exclude or [None] * len(vectors)
        return [
            self._rescore(vec, rows, full_weight, k, ex)
            for vec, rows, ex in zip(vectors, row_ids, skip, strict=True)
        ]

    @property
    def _widest(self) -> int:
        return int(np.diff(self.table.start).max()) if len(self.table.start) > 1 else 0

    def _rescore(
        self, vec: np.ndarray, rows: np.ndarray, w: float, k: int, exclude: str | None
    ) -> list[Hit]:
        entries = list(dict.fromkeys(int(self.table.entry[r]) for r in rows if r >= 0))
        entries = [e for e in entries if self.table.ids[e] != exclude]
        if not entries:
            return []
        spans = [np.arange(self.table.start[e], self.table.start[e + 1]) for e in entries]
        all_rows = np.concatenate(spans)
        sims = self.index.vectors(all_rows) @ vec
        hits: list[Hit] = []
        offset = 0
        for e, span in zip(entries, spans, strict=True):
            s = sims[offset : offset + len(span)]
            offset += len(span)
            is_full = self.table.kind[span] == FULL
            full = float(s[is_full].max()) if is_full.any() else float(s.max())
            example = float(s[~is_full].max()) if (~is_full).any() else full
            best = int(span[int(np.argmax(s))])
            hits.append(
                Hit(
                    self.table.ids[e],
                    w * full + (1.0 - w) * example,
                    full,
                    example,
                    self.table.langs[int(self.table.lang[best])],
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]
