"""Banking77 as "an FAQ with many example questions per entry" (issue 14, section 3).

77 English online-banking intents (CC BY 4.0, read from ../shared/datasets/banking77 by path).
20 intents, drawn with a fixed seed, are held out as out of scope: their test queries must be
handed off or clarified. Each of the other 57 becomes an entry whose question is the intent name;
``k`` training examples per intent (5, 10, 30 or all) are its labelled queries: they become
example rows and calibrate the operating point by cross-fitting (``cross_fit.py``), exactly as
a business's labelled file would. Measured on the official test split.

    python -m benchmarks.kb_banking77 [--shots 5,10,30,all] [--max-wrong-rate 0.03]
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.kb_transfer import VARIANTS, embedder
from knowledge_base.catalog import Catalog
from knowledge_base.cross_fit import build_with_labels
from knowledge_base.entry import Entry
from knowledge_base.evaluation import evaluate
from knowledge_base.labelled_queries import LabelledQuery

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "banking77"
HELD_OUT = 20


def _rows(name: str) -> list[tuple[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return [(r["text"], r["category"]) for r in csv.DictReader(fh)]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shots", default="5,10,30,all")
    ap.add_argument("--max-wrong-rate", type=float, default=0.03)
    ap.add_argument("--variant", default="e5")
    args = ap.parse_args(argv)
    v = VARIANTS[args.variant]
    emb = embedder(v.embedder)
    train, test = _rows("train.csv"), _rows("test.csv")
    intents = sorted({c for _, c in train})
    rng = random.Random(0)
    held = set(rng.sample(intents, HELD_OUT))
    inside = [c for c in intents if c not in held]
    entries = [Entry(c, "en", c.replace("_", " ").capitalize() + "?",
                     c.replace("_", " ").capitalize() + ".") for c in inside]
    catalog = Catalog.from_entries(entries)
    by_intent: dict[str, list[str]] = {}
    for text, c in train:
        if c in inside:
            by_intent.setdefault(c, []).append(text)
    for texts in by_intent.values():
        rng.shuffle(texts)
    queries = [LabelledQuery(t, c if c in inside else None, "en") for t, c in test]
    print(f"### Banking77: {len(inside)} intents as entries, {len(held)} held out as out of "
          f"scope; test split {len(queries)} queries ({sum(q.expected is None for q in queries)} "
          f"out of scope); max wrong rate {args.max_wrong_rate}\n")
    print("| examples per entry | labelled | top-1 in scope | recall@3 | answered (in scope) | "
          "accuracy of answers | wrong-answer rate (95% bound on labels) | out of scope "
          "answered / clarified / handed off | build + calibrate s | eval s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for shots in args.shots.split(","):
        k = None if shots == "all" else int(shots)
        labelled = [LabelledQuery(t, c, "en") for c, texts in by_intent.items()
                    for t in texts[:k]]
        started = time.perf_counter()
        built, cal = build_with_labels(catalog, labelled, emb, v.recipe, 50_000,
                                       args.max_wrong_rate, "banking77")
        emb.save()
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        scored = built.score(queries)
        rep = evaluate(scored, cal.thresholds)
        emb.save()
        eval_s = time.perf_counter() - started
        op = rep.operating_point
        n_in = rep.n_in_scope
        answered_in = op["in_scope_answered"] * n_in
        acc = op["answered_correct"] * n_in / max(answered_in, 1)
        oos_clar = 1 - op["out_of_scope_answered"] - op["out_of_scope_handed_off"]
        bound = cal.point.bound if cal.point else float("nan")
        print(f"| {shots} | {len(labelled)} | {rep.per_lang['en']['top1']:.3f} | "
              f"{rep.per_lang['en']['recall@3']:.3f} | {op['in_scope_answered']:.3f} | "
              f"{acc:.3f} | {op['wrong_answer_rate']:.3f} ({bound:.3f}) | "
              f"{op['out_of_scope_answered']:.3f} / {oos_clar:.3f} / "
              f"{op['out_of_scope_handed_off']:.3f} | {build_s:.0f} | {eval_s:.0f} |")


if __name__ == "__main__":
    main()
