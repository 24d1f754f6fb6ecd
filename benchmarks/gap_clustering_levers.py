"""Levers tried for grouping informal paraphrases (issue 16, section 3): each one's parameters chosen on the
tune split by benchmarks.gap_clustering's rule (most grouping among those >= 90 % pure), numbers on the report
split. Average linkage throughout; every row but the first embeds with the KB's query normaliser or says
otherwise. Called by ``python -m benchmarks.gap_clustering``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from gaps.embedding import prepared
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import Embedder, USEEmbedder
from knowledge_base.lemmas import lemma_words
from knowledge_base.normalizer import normalize

Set = tuple[str, list[str], list[str]]
Distances = Callable[[np.ndarray, float], np.ndarray]  # labels of one set for one parameter
Scorer = Callable[[list[str], np.ndarray], dict[str, float]]


def lang_of(name: str) -> str:
    return "en" if name.endswith("(en)") else "es"


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _cut(distances: np.ndarray, threshold: float) -> np.ndarray:
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    )
    return model.fit_predict(distances)


def _cosine(vectors: np.ndarray) -> np.ndarray:
    d = np.clip(1.0 - vectors @ vectors.T, 0.0, None)
    np.fill_diagonal(d, 0.0)
    return d


def _lemma_similarity(texts: list[str], lang: str) -> np.ndarray:
    """Cosine of TF-IDF weighted content-word lemmas (knowledge_base/lemmas.py), within one set."""
    m = TfidfVectorizer(analyzer=lambda t: lemma_words(t, lang), sublinear_tf=True).fit_transform(texts)
    return np.asarray((m @ m.T).todense())


def _centred(vectors: np.ndarray) -> np.ndarray:
    """The questions' mean vector removed (what all of one shop's questions share), then unit length."""
    return _unit(vectors - vectors.mean(axis=0))


class Levers:
    def __init__(self, e5: CachedEmbedder, cache: Path) -> None:
        self.e5 = e5
        self.use: Embedder = CachedEmbedder(USEEmbedder(threads=2), cache.with_name(cache.name + "-use"))

    def embed(self, sets: list[Set], how: str) -> list[np.ndarray]:
        out = []
        for name, texts, _ in sets:
            lang = lang_of(name)
            if how == "raw":
                out.append(self.e5.embed_queries(texts))
                continue
            plain = how == "noaccents"
            text = [normalize(t, lang, accents=False) if plain else prepared(t, lang) for t in texts]
            if how == "passage":
                out.append(self.e5.embed_documents(text))
            elif how == "use":
                out.append(self.use.embed_queries(text))
            elif how == "ensemble":
                out.append(_unit(np.hstack([self.e5.embed_queries(text), self.use.embed_queries(text)])))
            else:
                out.append(self.e5.embed_queries(text))
        return out

    def save(self) -> None:
        self.e5.save()
        if isinstance(self.use, CachedEmbedder):
            self.use.save()


def _grid(start: float, step: float, n: int) -> list[float]:
    return [round(start + step * i, 4) for i in range(n)]


LEVERS: dict[str, tuple[str, str, list[float]]] = {
    # name: (embedding, distance kind, thresholds)
    "raw text, e5 'query: ' (before)": ("raw", "cosine", _grid(0.06, 0.005, 17)),
    "1. KB query normaliser (accents kept, as the KB)": ("normalised", "cosine", _grid(0.06, 0.005, 17)),
    "raw text, finer threshold grid (0.0025)": ("raw", "cosine", _grid(0.06, 0.0025, 17)),
    "1, finer threshold grid (0.0025)": ("normalised", "cosine", _grid(0.06, 0.0025, 17)),
    "1b. KB query normaliser, accents stripped": ("noaccents", "cosine", _grid(0.06, 0.005, 17)),
    "2. e5 'passage: ' form (symmetric)": ("passage", "cosine", _grid(0.04, 0.005, 17)),
    "2b. USE multilingual (KB_EMBEDDER=use)": ("use", "cosine", _grid(0.2, 0.01, 30)),
    "2c. e5 + USE ensemble": ("ensemble", "cosine", _grid(0.15, 0.005, 30)),
    "4a. vectors centred per set": ("normalised", "centred", _grid(0.4, 0.02, 25)),
    "4b. + lemma TF-IDF overlap, weight 0.1": ("normalised", "lemma 0.1", _grid(0.08, 0.01, 20)),
    "4c. + lemma TF-IDF overlap, weight 0.2": ("normalised", "lemma 0.2", _grid(0.1, 0.01, 25)),
    "4d. + lemma TF-IDF overlap, weight 0.3": ("normalised", "lemma 0.3", _grid(0.15, 0.01, 25)),
}


def _distances(kind: str, sets: list[Set], vectors: list[np.ndarray]) -> list[np.ndarray]:
    if kind == "cosine":
        return [_cosine(v) for v in vectors]
    if kind == "centred":
        return [_cosine(_centred(v)) for v in vectors]
    w = float(kind.split()[1])
    return [
        np.clip(1.0 - ((1 - w) * (v @ v.T) + w * _lemma_similarity(texts, lang_of(name))), 0.0, None)
        for (name, texts, _), v in zip(sets, vectors, strict=True)
    ]


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def _evaluate(sets: list[Set], dists: list[np.ndarray], t: float, score: Scorer) -> list[dict[str, float]]:
    return [score(truth, _cut(d, t)) for (_, _, truth), d in zip(sets, dists, strict=True)]


def table(levers: Levers, tune: list[Set], report: list[Set], score: Scorer, min_purity: float) -> list[str]:
    lines = [
        "| lever | parameter (chosen on tune) | tune purity / inverse purity | purity | inverse purity "
        "| questions in a cluster of 2+ | Spanish sets: purity | inverse purity | in a cluster of 2+ |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, (how, kind, grid) in LEVERS.items():
        tune_d = _distances(kind, tune, levers.embed(tune, how))
        report_d = _distances(kind, report, levers.embed(report, how))
        levers.save()
        tuned = {t: _mean(_evaluate(tune, tune_d, t, score)) for t in grid}
        pure = [t for t in grid if tuned[t]["purity"] >= min_purity]
        best = max(pure, key=lambda t: tuned[t]["inverse_purity"]) if pure else grid[0]
        rows = _evaluate(report, report_d, best, score)
        spanish = _mean([r for (n, _, _), r in zip(report, rows, strict=True) if lang_of(n) == "es"])
        r = _mean(rows)
        edge = " (grid edge)" if best in (grid[0], grid[-1]) else ""
        lines.append(
            f"| {name} | {best:g}{edge} | {tuned[best]['purity']:.3f} / {tuned[best]['inverse_purity']:.3f} "
            f"| {r['purity']:.3f} | {r['inverse_purity']:.3f} | {r['grouped']:.0%} | {spanish['purity']:.3f} "
            f"| {spanish['inverse_purity']:.3f} | {spanish['grouped']:.0%} |"
        )
    return lines


def topics(sets: list[Set], vectors: list[np.ndarray], score: Scorer, thresholds: list[float]) -> list[str]:
    """3. Two levels: the pure clusters cut again higher up the same tree (average linkage nests them)."""
    lines = [
        "| topic threshold | purity | inverse purity | questions in a topic of 2+ | Spanish sets: purity "
        "| inverse purity |",
        "|---|---|---|---|---|---|",
    ]
    dists = [_cosine(v) for v in vectors]
    for t in thresholds:
        rows = _evaluate(sets, dists, t, score)
        r = _mean(rows)
        es = _mean([x for (n, _, _), x in zip(sets, rows, strict=True) if lang_of(n) == "es"])
        lines.append(
            f"| {t:g} | {r['purity']:.3f} | {r['inverse_purity']:.3f} | {r['grouped']:.0%} "
            f"| {es['purity']:.3f} | {es['inverse_purity']:.3f} |"
        )
    return lines
