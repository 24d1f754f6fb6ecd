"""Quality after 0, 10, 25, 50 and 100 labelled queries per FAQ (issue 14, section 3).

For each benchmark FAQ held out in turn, the day-one defaults are fitted on the other FAQs;
then ``n`` of the held-out FAQ's queries are drawn as its labelled data (3 draws) and the rest
is the test set. Two ways to use the labels are compared:

* ``calibrate``: labels only move the thresholds (bounded: 95% upper bound of the wrong rate
  within KB_MAX_WRONG_RATE, else the defaults stay);
* ``examples``: labels also become example questions of their entries, calibrated on
  cross-fitted scores (``knowledge_base/cross_fit.py``): what ``make run`` does.

    python -m benchmarks.kb_labels [--draws 3] [--max-wrong-rate 0.03] [--variant e5]
                                   [--modes calibrate,examples]

Prints the mean over held-out sets for each mode, then one row per held-out set and number
of labels for ``examples`` (or the first mode measured).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from benchmarks.kb_labels_report import mean_table, per_set_table
from benchmarks.kb_transfer import BENCH_DIR, MAX_OOS, MAX_WRONG, VARIANTS, embedder, load_set
from knowledge_base.built_index import BuiltIndex
from knowledge_base.cross_fit import build_with_labels
from knowledge_base.day_one import fit_day_one, reference_queries, weight_grid
from knowledge_base.evaluation import evaluate
from knowledge_base.hit_matrix import HitMatrix

SIZES = (0, 10, 25, 50, 100)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--max-wrong-rate", type=float, default=0.03)
    ap.add_argument("--variant", default="e5", choices=list(VARIANTS))
    ap.add_argument("--modes", default="calibrate,examples",
                    help="comma-separated of calibrate, examples")
    args = ap.parse_args(argv)
    modes = [m for m in ("calibrate", "examples") if m in args.modes.split(",")]
    v = VARIANTS[args.variant]
    emb = embedder(v.embedder)
    sets = sorted(p for p in BENCH_DIR.iterdir() if (p / "queries" / "test.jsonl").is_file())
    loaded = {p.name: load_set(p) for p in sets}
    started = time.perf_counter()
    groups = {}
    for name, (catalog, queries, _) in loaded.items():
        built = BuiltIndex.build(catalog, emb, v.recipe, 50_000)
        ref_q, hidden = reference_queries(catalog)
        groups[name] = (HitMatrix.from_scored(built.score(queries)),
                        HitMatrix.from_scored(built.score(ref_q, hidden)))
    results: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    for held, (catalog, queries, kinds) in loaded.items():
        defaults = fit_day_one([g for n, g in groups.items() if n != held],
                               weight_grid(v.recipe), MAX_WRONG, MAX_OOS)
        for draw in range(args.draws):
            order = np.random.default_rng(draw).permutation(len(queries))
            for n in SIZES:
                labelled = [queries[i] for i in order[:n]]
                test = [queries[i] for i in order[n:] if kinds[i] != "en"]
                for mode in modes:
                    if n == 0 and mode == "examples" and "calibrate" in modes:
                        continue  # no labels: the same day-one defaults as calibrate
                    if mode == "examples" and n > 0:
                        built, cal = build_with_labels(catalog, labelled, emb, v.recipe, 50_000,
                                                       args.max_wrong_rate, "bench",
                                                       defaults=defaults)
                    else:
                        built = BuiltIndex.build(catalog, emb, v.recipe, 50_000)
                        cal = built.calibrate(labelled, args.max_wrong_rate, "bench",
                                              defaults=defaults)
                    rep = evaluate(built.score(test), cal.thresholds)
                    row = dict(rep.operating_point)
                    row["es_top1"] = rep.per_lang.get("es", {}).get("top1", float("nan"))
                    row["bound"] = cal.point.bound if cal.point else float("nan")
                    row["moved"] = float(cal.source != "day-one defaults")
                    results.setdefault((held, mode, n), []).append(row)
        emb.save()
    secs = time.perf_counter() - started
    print(f"### {args.variant}: labelled queries per FAQ, mean over {len(loaded)} held-out FAQs x "
          f"{args.draws} draws ({secs:.0f} s; max wrong rate {args.max_wrong_rate}; test = the "
          "FAQ's other queries, Spanish + out of scope)\n")
    print(mean_table(results, SIZES, modes))
    per_set = "examples" if "examples" in modes else modes[0]
    print(f"\n### {args.variant}: per held-out set, {per_set}, mean over {args.draws} draws\n")
    print(per_set_table(results, SIZES, per_set))


if __name__ == "__main__":
    main()
