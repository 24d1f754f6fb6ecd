from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge_base.vector_index import VectorIndex


def _unit(n: int, d: int = 16) -> np.ndarray:
    v = np.random.default_rng(0).standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_small_kb_gets_an_exact_index_large_an_approximate_one() -> None:
    v = _unit(300)
    assert VectorIndex.build(v, hnsw_threshold=1000).kind == "flat"
    assert VectorIndex.build(v, hnsw_threshold=100).kind == "hnsw"


def test_nearest_rows_and_vectors_survive_a_save_and_load(tmp_path: Path) -> None:
    v = _unit(500)
    for threshold in (1000, 100):
        index = VectorIndex.build(v, hnsw_threshold=threshold)
        index.save(tmp_path / "i.faiss")
        loaded = VectorIndex.load(tmp_path / "i.faiss")
        _, ids = loaded.search(v[:20], 3)
        assert (ids[:, 0] == np.arange(20)).all()
        assert np.allclose(loaded.vectors(np.array([7, 42])), v[[7, 42]], atol=1e-6)
