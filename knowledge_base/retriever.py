"""Dense retrieval collapsed by entry id: nearest examples combined with the full-entry row,
plus an optional lexical (character n-gram) score of the same rows for re-ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.embedder import Embedder
from knowledge_base.lexical import LexicalIndex
from knowledge_base.rows import FULL, RowTable, TextRecipe
from knowledge_base.vector_index import VectorIndex

__all__ = ["Hit", "Retriever"]


@dataclass(frozen=True)
class Hit:
    """One entry's score for one query: ``w * full + (1 - w) * example + lw * lexical``."""

    entry_id: str
    score: float
    full: float  # best full-entry row (question + paraphrases + answer), any language
    example: float  # mean of the nearest question phrasings (recipe.example_top_n), any language
    lang: str  # language of the row that matched best
    lexical: float = 0.0  # mean of the best lexical full-row and example-row similarities

    def scored(self, full_weight: float, lexical_weight: float = 0.0) -> float:
        w = full_weight
        return w * self.full + (1.0 - w) * self.example + lexical_weight * self.lexical


class Retriever:
    """Scores entries for queries; all languages are searched and collapsed by entry id."""

    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        table: RowTable,
        recipe: TextRecipe,
        lexical: LexicalIndex | None = None,
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.table = table
        self.recipe = recipe
        self.lexical = lexical

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
        texts: Sequence[tuple[str, str | None]] | None = None,
        lexical_weight: float = 0.0,
    ) -> list[list[Hit]]:
        """Best ``k`` entries for each query vector, best first; ``exclude[i]`` is an entry id
        query i must not see (used to simulate out-of-scope queries from the KB itself).
        ``texts[i]`` (text, language) of query i enables the lexical score."""
        if len(self.index) == 0:
            return [[] for _ in range(len(vectors))]
        _, row_ids = self.index.search(vectors, pool + (self._widest if exclude else 0))
        skip = exclude or [None] * len(vectors)
        raw: Sequence[tuple[str, str | None] | None] = texts or [None] * len(vectors)
        return [
            self._rescore(vec, rows, (full_weight, lexical_weight), k, ex, text)
            for vec, rows, ex, text in zip(vectors, row_ids, skip, raw, strict=True)
        ]

    @property
    def _widest(self) -> int:
        return int(np.diff(self.table.start).max()) if len(self.table.start) > 1 else 0

    def _rescore(
        self,
        vec: np.ndarray,
        rows: np.ndarray,
        weights: tuple[float, float],
        k: int,
        exclude: str | None,
        text: tuple[str, str | None] | None,
    ) -> list[Hit]:
        entries = list(dict.fromkeys(int(self.table.entry[r]) for r in rows if r >= 0))
        entries = [e for e in entries if self.table.ids[e] != exclude]
        if not entries:
            return []
        spans = [np.arange(self.table.start[e], self.table.start[e + 1]) for e in entries]
        all_rows = np.concatenate(spans)
        sims = self.index.vectors(all_rows) @ vec
        lex: np.ndarray | None = None
        if self.lexical is not None and text is not None:
            lex = self.lexical.similarities(self.lexical.query(*text), all_rows)
        top_n = max(1, self.recipe.example_top_n)
        hits: list[Hit] = []
        offset = 0
        for e, span in zip(entries, spans, strict=True):
            s = sims[offset : offset + len(span)]
            is_full = self.table.kind[span] == FULL
            full = float(s[is_full].max()) if is_full.any() else float(s.max())
            examples = s[~is_full]
            if len(examples) > top_n:
                examples = np.partition(examples, len(examples) - top_n)[-top_n:]
            example = float(examples.mean()) if len(examples) else full
            lexical = 0.0
            if lex is not None:
                ls = lex[offset : offset + len(span)]
                lexical = 0.5 * (float(ls[is_full].max()) if is_full.any() else 0.0) + 0.5 * (
                    float(ls[~is_full].max()) if (~is_full).any() else 0.0)
            offset += len(span)
            best = int(span[int(np.argmax(s))])
            lang = self.table.langs[int(self.table.lang[best])]
            hit = Hit(self.table.ids[e], 0.0, full, example, lang, lexical)
            hits.append(Hit(hit.entry_id, hit.scored(*weights), full, example, lang, lexical))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]
