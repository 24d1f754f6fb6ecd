"""Group questions by meaning: the knowledge base's embeddings, then scikit-learn's agglomerative
clustering with average linkage on cosine distance, cut at a distance threshold (no number of clusters
to guess). docs/gaps.md says why this algorithm and how the threshold was chosen
(docs/benchmarks/gap_clustering.md: tuned on some FAQs' queries, reported on others)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering

__all__ = [
    "DEFAULT_DISTANCE",
    "DEFAULT_TOPIC_DISTANCE",
    "Group",
    "Topic",
    "cluster_vectors",
    "topics_of",
]

#: Average cosine distance at which two groups stop merging, with multilingual-e5-small (the KB's
#: default embedder) on normalised questions (gaps.embedding.prepared); tuned on three benchmark FAQs'
#: queries and 40 Banking77 intents (docs/benchmarks/gap_clustering.md).
DEFAULT_DISTANCE = 0.09
#: The same tree cut higher: the pure clusters grouped into topics (one card each in the report). The
#: highest cut (0.0025 grid) whose topics are >= 80 % pure on the benchmark's tune split
#: (docs/benchmarks/gap_clustering.md, benchmarks/gap_topics.py).
DEFAULT_TOPIC_DISTANCE = 0.1025


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


@dataclass(frozen=True)
class Topic:
    """Pure clusters that the same tree joins higher up, the largest first; ``distances[i]`` is the average
    cosine distance between the questions of ``groups[i]`` and of the largest group (0 for itself)."""

    groups: tuple[Group, ...]
    distances: tuple[float, ...]


def topics_of(vectors: np.ndarray, groups: list[Group], topic_distance: float) -> list[Topic]:
    """``groups`` (``cluster_vectors``' answer, in its order) joined into topics: the average-linkage tree cut
    at ``topic_distance``, which nests the clusters cut lower. 0 (or a cut not above the clusters'): each
    cluster is its own topic. Topics in the order of their largest group."""
    if topic_distance <= 0 or len(groups) < 2:
        return [Topic((g,), (0.0,)) for g in groups]
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=topic_distance
    ).fit_predict(vectors)
    joined: dict[int, list[Group]] = {}
    for g in groups:  # one tree: every member of a cluster has its topic's label; the medoid's decides
        joined.setdefault(int(labels[g.representative]), []).append(g)
    out = []
    for members in joined.values():
        first = vectors[list(members[0].members)]
        distances = tuple(
            0.0 if i == 0 else float(np.mean(1.0 - vectors[list(g.members)] @ first.T))
            for i, g in enumerate(members)
        )
        out.append(Topic(tuple(members), distances))
    return out


def _ordered(indices: Sequence[int] | np.ndarray, vectors: np.ndarray) -> Group:
    idx = np.asarray(indices)
    sims = vectors[idx] @ vectors[idx].T
    medoid = int(idx[int(np.argmax(sims.mean(axis=1)))])
    closeness = vectors[idx] @ vectors[medoid]
    order = sorted(range(len(idx)), key=lambda i: (int(idx[i]) != medoid, -float(closeness[i]), int(idx[i])))
    return Group(tuple(int(idx[i]) for i in order))
