"""Lexical similarity: hashed character n-gram TF-IDF over normalised, accent-free text.

Dense retrieval misses near-literal matches that customers type with typos or without accents
("devolucion", "contrareembolso"); character 3-5-grams inside word boundaries catch them. The
lexical score only re-ranks the entries dense retrieval already found (it never searches the
whole KB), and its weight is calibrated with the other thresholds (0 when it does not help).

Rows are L2-normalised sparse vectors (CSR, ``2**18`` hashed buckets, sublinear tf x smoothed
idf, float16 weights: ~6 bytes per stored n-gram, ~590 n-grams per full row and ~60 per
question phrasing), stored next to the FAISS index in ``lexical.npz``.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.lemmas import lemma_words
from knowledge_base.normalizer import normalize, strip_accents

__all__ = ["BUCKETS", "LexicalIndex", "ngrams"]

BUCKETS = 1 << 18
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def ngrams(text: str, lang: str | None, low: int = 3, high: int = 5,
           lemmas: bool = False) -> Counter[int]:
    """Hashed character n-grams of each word (padded with spaces) of the normalised text; with
    ``lemmas``, of each content word's lemma, plus the lemma itself as a feature."""
    counts: Counter[int] = Counter()
    if lemmas:
        words = lemma_words(text, lang)
        for word in words:
            counts[zlib.crc32(b"\x01" + word.encode()) % BUCKETS] += 1
    else:
        words = _NON_WORD.sub(" ", strip_accents(normalize(text, lang))).split()
    for word in words:
        padded = f" {word} ".encode()
        for n in range(low, high + 1):
            for i in range(len(padded) - n + 1):
                counts[zlib.crc32(padded[i : i + n]) % BUCKETS] += 1
    return counts


@dataclass(frozen=True)
class LexicalIndex:
    """One sparse row per index row (same order as the FAISS vectors) and the idf weights."""

    indptr: np.ndarray  # int64, len(rows) + 1
    indices: np.ndarray  # int32 bucket ids
    data: np.ndarray  # float16 weights, each row L2-normalised
    idf: np.ndarray  # float32, BUCKETS
    lemmas: bool = False  # content-word lemmas instead of every word (``lemmas.py``)

    @classmethod
    def build(cls, texts: Sequence[str], langs: Sequence[str], lemmas: bool = False
              ) -> LexicalIndex:
        grams = [ngrams(t, lang, lemmas=lemmas) for t, lang in zip(texts, langs, strict=True)]
        df = np.zeros(BUCKETS, dtype=np.float64)
        for g in grams:
            df[np.fromiter(g.keys(), dtype=np.int64, count=len(g))] += 1
        idf = (np.log((1 + len(grams)) / (1 + df)) + 1).astype(np.float32)
        idf[df == 0] = 0.0  # a query's n-grams that no row has do not count (as measured)
        indptr = np.zeros(len(grams) + 1, dtype=np.int64)
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for r, g in enumerate(grams):
            idx, weights = _weights(g, idf)
            indices.append(idx.astype(np.int32))
            data.append(weights.astype(np.float16))
            indptr[r + 1] = indptr[r] + len(idx)
        return cls(
            indptr,
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32),
            np.concatenate(data) if data else np.zeros(0, dtype=np.float16),
            idf,
            lemmas,
        )

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def query(self, text: str, lang: str | None) -> np.ndarray:
        """The query as a dense ``BUCKETS`` vector (cheap to dot with any set of rows)."""
        dense = np.zeros(BUCKETS, dtype=np.float32)
        idx, weights = _weights(ngrams(text, lang, lemmas=self.lemmas), self.idf)
        dense[idx] = weights
        return dense

    def similarities(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of the dense query vector with each of ``rows``."""
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        lengths = ends - starts
        out = np.zeros(len(rows), dtype=np.float32)
        if lengths.sum() == 0:
            return out
        # positions of every stored value of the selected rows, in row order
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        pos = np.arange(int(lengths.sum())) + offsets
        products = self.data[pos].astype(np.float32) * query[self.indices[pos]]
        nonempty = lengths > 0
        bounds = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
        out[nonempty] = np.add.reduceat(products, bounds)
        return out

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez(fh, indptr=self.indptr, indices=self.indices, data=self.data, idf=self.idf,
                     lemmas=np.array(self.lemmas))

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        with np.load(path, allow_pickle=False) as z:
            lemmas = bool(z["lemmas"]) if "lemmas" in z.files else False
            return cls(z["indptr"], z["indices"], z["data"], z["idf"], lemmas)


def _weights(grams: Counter[int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not grams:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = np.fromiter(grams.keys(), dtype=np.int64, count=len(grams))
    tf = np.fromiter(grams.values(), dtype=np.float32, count=len(grams))
    weights = (1 + np.log(tf)) * idf[idx]
    norm = float(np.linalg.norm(weights))
    if norm > 0:
        weights /= norm
    return idx, weights.astype(np.float32)
