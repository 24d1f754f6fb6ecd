"""Markdown tables for ``benchmarks.kb_labels``: the mean over held-out sets and per set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["FIELDS", "SET_FIELDS", "mean_table", "per_set_table"]

FIELDS = ("es_top1", "answered_correct", "in_scope_answered", "wrong_answer_rate",
          "out_of_scope_answered", "bound")
SET_FIELDS = FIELDS[:-1]

Rows = list[dict[str, float]]


def _mean(rows: Rows, field: str) -> float:
    vals = [r[field] for r in rows if not np.isnan(r[field])]
    return float(np.mean(vals)) if vals else float("nan")


def mean_table(results: Mapping[tuple[str, str, int], Rows], sizes: Sequence[int],
               modes: Sequence[str]) -> str:
    """One row per (labels, mode): mean over every held-out set and draw."""
    lines = ["| labels | mode | " + " | ".join(FIELDS) + " | thresholds moved |",
             "|---|---|" + "---|" * (len(FIELDS) + 1)]
    for n in sizes:
        for mode in modes:
            if n == 0 and mode == "examples" and "calibrate" in modes:
                continue  # no labels: both modes are the day-one defaults
            rows = [r for (_, m, k), rs in results.items() if m == mode and k == n for r in rs]
            if not rows:
                continue
            vals = " | ".join(f"{_mean(rows, f):.3f}" for f in FIELDS)
            lines.append(f"| {n} | {mode} | {vals} | {_mean(rows, 'moved'):.2f} |")
    return "\n".join(lines)


def per_set_table(results: Mapping[tuple[str, str, int], Rows], sizes: Sequence[int],
                  mode: str) -> str:
    """One row per (held-out set, labels) for ``mode``, mean over draws; with 0 labels both
    modes are the day-one defaults, so the row is whichever mode was measured."""
    sets = sorted({s for s, _, _ in results})
    lines = ["| set | labels | " + " | ".join(SET_FIELDS) + " |",
             "|---|---|" + "---|" * len(SET_FIELDS)]
    for s in sets:
        for n in sizes:
            rows = results.get((s, mode, n)) or results.get((s, "calibrate", n)) or []
            if not rows:
                continue
            vals = " | ".join(f"{_mean(rows, f):.3f}" for f in SET_FIELDS)
            lines.append(f"| {s} | {n} | {vals} |")
    return "\n".join(lines)
