"""Group questions by meaning: the knowledge base's embeddings, then scikit-learn's agglomerative
clustering with average linkage on cosine distance, cut at a distance threshold (no number of clusters
to guess). docs/gaps.md says why this algorithm and how the threshold was chosen
(docs/benchmarks/gap_clustering.md: tuned on some FAQs' queries, reported on others)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering

__all__ = ["DEFAULT_DISTANCE", "Group", "cluster_vectors"]

#: Average cosine distance at which two groups stop merging, with multilingual-e5-small (the KB's
#: default embedder) on normalised questions (gaps.embedding.prepared); tuned on three benchmark FAQs'
#: queries and 40 Banking77 intents (docs/benchmarks/gap_clustering.md).
DEFAULT_DISTANCE = 0.09


@dataclass(frozen=True)
class Group:
    """Indices into the clustered rows, the representative (medoid) first, then closest to it."""

    members: tuple[int, ...]

    @property
    def representative(self) -> int:
        return self.members[0]


def cluster_vectors(vectors: np.ndarray, distance: float = DEFAULT_DISTANCE) -> list[Group]:
    """Unit-length ``vectors`` (one row per question) grouped; largest group first (ties: lowest index).

    The representative of a group is its medoid: the member with the highest mean cosine similarity to
    the others (the most typical wording, not an average no one wrote)."""
    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [Group((0,))]
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
    ).fit_predict(vectors)
    groups = [_ordered(np.flatnonzero(labels == label), vectors) for label in np.unique(labels)]
    return sorted(groups, key=lambda g: (-len(g.members), min(g.members)))


def _ordered(indices: Sequence[int] | np.ndarray, vectors: np.ndarray) -> Group:
    idx = np.asarray(indices)
    sims = vectors[idx] @ vectors[idx].T
    medoid = int(idx[int(np.argmax(sims.mean(axis=1)))])
    closeness = vectors[idx] @ vectors[medoid]
    order = sorted(range(len(idx)), key=lambda i: (int(idx[i]) != medoid, -float(closeness[i]), int(idx[i])))
    return Group(tuple(int(idx[i]) for i in order))
