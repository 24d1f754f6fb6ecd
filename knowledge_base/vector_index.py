"""A FAISS inner-product index: exact (flat) for small KBs, approximate (HNSW) for large ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np

__all__ = ["VectorIndex"]

IndexKind = Literal["flat", "hnsw"]


class VectorIndex:
    """Unit vectors searched by cosine similarity (inner product)."""

    def __init__(self, index: Any, kind: IndexKind, threads: int = 2) -> None:
        self._index = index
        self.kind: IndexKind = kind
        self.threads = threads

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int, threads: int = 2) -> VectorIndex:
        """Flat when there are at most ``hnsw_threshold`` rows, HNSW (M=32) beyond."""
        faiss.omp_set_num_threads(threads)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = int(vectors.shape[1])
        kind: IndexKind = "hnsw" if len(vectors) > hnsw_threshold else "flat"
        index: Any
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index, kind, threads)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = 128
            return cls(index, "hnsw")
        return cls(index, "flat")

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of the ``k`` nearest rows for each query; ids are -1 past the end."""
        k = max(1, min(k, len(self)))
        # one query runs single-threaded: measured faster (OpenMP start-up and spin-waiting cost
        # more than they save on 2 cores); batches use every thread
        faiss.omp_set_num_threads(1 if len(queries) == 1 else self.threads)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores, ids

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(rows), dtype=np.float32)
