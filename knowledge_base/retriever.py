"""Dense retrieval collapsed by entry id: nearest examples combined with the full-entry row,
plus an optional lexical (character n-gram) score of the same rows for re-ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.accents import restore_accents
from knowledge_base.embedder import Embedder
from knowledge_base.lexical import LexicalIndex
from knowledge_base.rows import EXAMPLE, FULL, SENTENCE, RowTable, TextRecipe
from knowledge_base.vector_index import VectorIndex

__all__ = ["Hit", "Retriever"]


@dataclass(frozen=True)
class Hit:
    """One entry's score: ``w * full + (1 - w) * example + lw * lexical + sw * sentence``."""

    entry_id: str
    score: float
    full: float  # best full-entry row (question + paraphrases + answer), any language
    example: float  # mean of the nearest question phrasings (recipe.example_top_n), any language
    lang: str  # language of the row that matched best
    lexical: float = 0.0  # mean of the best lexical full-row and example-row similarities
    sentence: float = 0.0  # best answer-sentence row (recipe.answer_sentences), else ``full``

    def scored(self, full_weight: float, lexical_weight: float = 0.0,
               sentence_weight: float = 0.0) -> float:
        w = full_weight
        return (w * self.full + (1.0 - w) * self.example + lexical_weight * self.lexical
                + sentence_weight * self.sentence)


class Retriever:
    """Scores entries for queries; all languages are searched and collapsed by entry id."""

    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        table: RowTable,
        recipe: TextRecipe,
        lexical: LexicalIndex | None = None,
        accents: dict[str, str] | None = None,
    ) -> None:
        self.embedder = embedder
        self.index = index
        self.table = table
        self.recipe = recipe
        self.lexical = lexical
        self.accents = accents or {}  # plain -> accented spellings of the FAQ's words

    def embed(self, queries: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
        texts = [restore_accents(self.recipe.query(q, lang), self.accents)
                 for q, lang in zip(queries, langs, strict=True)]
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
        sentence_weight: float = 0.0,
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
            self._rescore(vec, rows, (full_weight, lexical_weight, sentence_weight), k, ex, text)
            for vec, rows, ex, text in zip(vectors, row_ids, skip, raw, strict=True)
        ]

    @property
    def _widest(self) -> int:
        return int(np.diff(self.table.start).max()) if len(self.table.start) > 1 else 0

    def _rescore(
        self,
        vec: np.ndarray,
        rows: np.ndarray,
        weights: tuple[float, float, float],
        k: int,
        exclude: str | None,
        text: tuple[str, str | None] | None,
    ) -> list[Hit]:
        """Exact scores of the entries owning ``rows``, vectorised over their contiguous spans."""
        found = self.table.entry[rows[rows >= 0]]
        _, first = np.unique(found, return_index=True)
        entries = found[np.sort(first)]  # in order of first appearance
        if exclude is not None:
            entries = entries[[self.table.ids[e] != exclude for e in entries]]
        if len(entries) == 0:
            return []
        begin, end = self.table.start[entries], self.table.start[entries + 1]
        lengths = end - begin
        seg = np.concatenate([[0], np.cumsum(lengths)[:-1]])  # segment starts in all_rows
        all_rows = np.repeat(begin - seg, lengths) + np.arange(int(lengths.sum()))
        sims = self.index.vectors(all_rows) @ vec
        kinds = self.table.kind[all_rows]
        is_full, is_example, is_sentence = kinds == FULL, kinds == EXAMPLE, kinds == SENTENCE
        n_full = np.add.reduceat(is_full.astype(np.int64), seg)
        n_examples = np.add.reduceat(is_example.astype(np.int64), seg)
        n_sentences = np.add.reduceat(is_sentence.astype(np.int64), seg)
        full = np.maximum.reduceat(np.where(is_full, sims, -np.inf), seg)
        full = np.where(n_full > 0, full, np.maximum.reduceat(sims, seg))
        # the mean of the top_n example similarities: sort each segment, examples first
        seg_id = np.repeat(np.arange(len(entries)), lengths)
        ex_sims = np.where(is_example, sims, -np.inf)
        ordered = ex_sims[np.lexsort((-ex_sims, seg_id))]
        top_n = max(1, self.recipe.example_top_n)
        total = np.zeros(len(entries))
        for j in range(top_n):
            take = n_examples > j
            total[take] += ordered[seg[take] + j]
        example = np.where(n_examples > 0, total / np.maximum(np.minimum(n_examples, top_n), 1),
                           full)
        sentence = np.where(
            n_sentences > 0, np.maximum.reduceat(np.where(is_sentence, sims, -np.inf), seg), full)
        lexical = np.zeros(len(entries))
        if self.lexical is not None and text is not None:
            lex = self.lexical.similarities(self.lexical.query(*text), all_rows)
            lex_full = np.maximum.reduceat(np.where(is_full, lex, -np.inf), seg)
            lex_ex = np.maximum.reduceat(np.where(is_example, lex, -np.inf), seg)
            lexical = 0.5 * np.where(n_full > 0, lex_full, 0.0) + 0.5 * np.where(
                n_examples > 0, lex_ex, 0.0)
        w, lw, sw = weights
        score = w * full + (1.0 - w) * example + lw * lexical + sw * sentence
        best_row = all_rows[np.lexsort((-sims, seg_id))[seg]]  # best-matching row per entry
        hits = []
        for i in np.argsort(-score, kind="stable")[:k]:
            lang = self.table.langs[int(self.table.lang[best_row[i]])]
            hits.append(Hit(self.table.ids[int(entries[i])], float(score[i]), float(full[i]),
                            float(example[i]), lang, float(lexical[i]), float(sentence[i])))
        return hits
