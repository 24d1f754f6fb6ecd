"""Precision, recall and latency of the personal-data masker (hub/pii) on a labelled set (issue 15).

    python -m benchmarks.pii_masker --data tests/fixtures/pii/dev.jsonl
    python -m benchmarks.pii_masker --data tests/fixtures/pii/dev.jsonl --errors   # list misses

Each line of the data is {"text", "spans": [{"start", "end", "label"}]}. Two scorings per label:
exact (same start, end and label) and overlap (a prediction counts as right if it overlaps a gold
span of the same label; a gold span counts as found if some prediction of its label overlaps it).
Latency: find_personal_data over every message, REPEATS times, after one warm-up pass; the median
and p95 of the per-message times in microseconds (the pipeline is built before timing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from hub.pii import LABELS, Span, find_personal_data

REPEATS = 20
Example = tuple[str, list[Span]]


def load(path: Path) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold = [Span(s["start"], s["end"], s["label"]) for s in row["spans"]]
            examples.append((row["text"], gold))
    return examples


def _overlaps(a: Span, b: Span) -> bool:
    return a.label == b.label and a.start < b.end and b.start < a.end


def score(
    gold: Sequence[list[Span]], predicted: Sequence[list[Span]], overlap: bool
) -> dict[str, Counter[str]]:
    """label -> Counter(tp, fp, fn); "all" sums the labels."""
    counts: dict[str, Counter[str]] = {label: Counter() for label in (*LABELS, "all")}
    same: Callable[[Span, Span], bool] = _overlaps if overlap else (lambda a, b: a == b)
    for g_spans, p_spans in zip(gold, predicted, strict=True):
        for p in p_spans:
            key = "tp" if any(same(p, g) for g in g_spans) else "fp"
            counts[p.label][key] += 1
            counts["all"][key] += 1
        for g in g_spans:
            if not any(same(p, g) for p in p_spans):
                counts[g.label]["fn"] += 1
                counts["all"]["fn"] += 1
    return counts


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def table(counts: dict[str, Counter[str]]) -> str:
    rows = ["| label | TP | FP | FN | precision | recall | F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for label, c in counts.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        if label != "all" and tp + fp + fn == 0:
            continue
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        name = "**all**" if label == "all" else label
        rows.append(f"| {name} | {tp} | {fp} | {fn} | {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} | {f1} |")
    return "\n".join(rows)


def latency(texts: Sequence[str]) -> tuple[float, float, float]:
    """Median and p95 microseconds per message, and the mean message length in characters."""
    for text in texts:
        find_personal_data(text)
    times = []
    for _ in range(REPEATS):
        for text in texts:
            t0 = time.perf_counter_ns()
            find_personal_data(text)
            times.append((time.perf_counter_ns() - t0) / 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times))], statistics.mean(len(t) for t in texts)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--errors", action="store_true", help="print every false positive and miss")
    args = parser.parse_args(argv)
    examples = load(args.data)
    texts = [t for t, _ in examples]
    gold = [g for _, g in examples]
    t0 = time.perf_counter()
    predicted = [find_personal_data(t) for t in texts]
    first = time.perf_counter() - t0
    n_gold = sum(len(g) for g in gold)
    print(f"{args.data}: {len(examples)} messages, {n_gold} gold spans\n")
    print("Exact spans:\n")
    print(table(score(gold, predicted, overlap=False)))
    print("\nOverlap (same label):\n")
    print(table(score(gold, predicted, overlap=True)))
    median, p95, mean_len = latency(texts)
    print(
        f"\nLatency: median {median:.0f} µs, p95 {p95:.0f} µs per message (mean {mean_len:.0f} characters, "
        f"{REPEATS} passes); first pass including building the pipeline {first:.2f} s"
    )
    if args.errors:
        for text, g_spans, p_spans in zip(texts, gold, predicted, strict=True):
            fp = [p for p in p_spans if p not in g_spans]
            fn = [g for g in g_spans if g not in p_spans]
            if fp or fn:
                print(f"\n{text!r}")
                for kind, spans in (("FP", fp), ("FN", fn)):
                    for s in spans:
                        print(f"  {kind} {s.label} {text[s.start:s.end]!r}")


if __name__ == "__main__":
    main()
