"""An embedder wrapper that remembers vectors on disk, keyed by model, kind and text.

Benchmarks and ``eval`` embed the same FAQ rows and queries again and again (every recipe,
every held-out split); the cache makes the second run cost only the scoring.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from knowledge_base.embedder import Embedder

__all__ = ["CachedEmbedder"]


class CachedEmbedder:
    def __init__(self, inner: Embedder, directory: Path) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        name = hashlib.blake2b(inner.model_id.encode(), digest_size=8).hexdigest()
        self.path = directory / f"vectors-{name}.npz"
        self._cache: dict[bytes, np.ndarray] = {}
        self._dirty = False
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as z:
                self._cache = dict(zip((bytes(k) for k in z["keys"]), z["vectors"], strict=True))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed("q", texts)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._embed("d", texts)

    def _embed(self, kind: str, texts: list[str]) -> np.ndarray:
        keys = [hashlib.blake2b(f"{kind}\0{t}".encode(), digest_size=16).digest() for t in texts]
        todo = sorted({i for i, k in enumerate(keys) if k not in self._cache},
                      key=lambda i: keys[i])
        unique: dict[bytes, int] = {}
        for i in todo:
            unique.setdefault(keys[i], i)
        if unique:
            fn = self.inner.embed_queries if kind == "q" else self.inner.embed_documents
            order = list(unique.values())
            for lo in range(0, len(order), 256):
                chunk = order[lo : lo + 256]
                for i, v in zip(chunk, fn([texts[i] for i in chunk]), strict=True):
                    self._cache[keys[i]] = v
            self._dirty = True
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._cache[k]
        return out

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._cache), dtype="S16")
        vectors = np.stack(list(self._cache.values())).astype(np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        tmp.replace(self.path)
        self._dirty = False
