"""Thresholds from labelled queries, as a promise the numbers keep: a bound, not a point.

The starting point is the day-one operating point (``day_one.py``: weights and thresholds in
units of this FAQ's own similarity structure, fitted across the benchmark FAQs). Labelled
queries may move it, but only to a point whose one-sided 95% Clopper-Pearson *upper bound* of
the wrong-answer rate (wrong answers / answered, an out-of-scope query answered counts as
wrong) stays within ``max_wrong_rate``, and only when it answers more of them correctly than
the defaults do. With a few dozen queries no point can show such a bound (0 wrong out of 60
answered still bounds the rate at 4.9%), so a small labelled set leaves the defaults alone;
it takes evidence to answer more. When the labelled queries show the defaults themselves to
be worse than promised (the *lower* bound of their wrong rate is above the limit), the point
tightens to the most-correct one whose observed rate is within the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge_base.bounds import lower_bound, upper_bound
from knowledge_base.day_one import Z_ANSWER, Z_MARGIN, DayOne, reference_stats
from knowledge_base.decision import Thresholds
from knowledge_base.hit_matrix import HitMatrix

__all__ = ["MIN_OUT_OF_SCOPE", "Calibration", "OperatingPoint", "calibrate"]

#: fewer out-of-scope labelled queries than this and thresholds cannot loosen past the defaults'
#: handling of the hidden-entry (in-domain, unanswerable) reference questions
MIN_OUT_OF_SCOPE = 20

@dataclass(frozen=True)
class OperatingPoint:
    """What a threshold setting does on the labelled queries."""

    answered: int
    correct: int
    wrong: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answered if self.answered else 0.0

    @property
    def bound(self) -> float:
        return upper_bound(self.wrong, self.answered)


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    source: str  # "day-one defaults" | "labelled queries"
    n_queries: int
    n_out_of_scope: int
    point: OperatingPoint | None  # on the labelled queries (None without any)
    default_point: OperatingPoint | None
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "n_queries": self.n_queries,
                               "n_out_of_scope": self.n_out_of_scope, **self.details}
        for name, p in (("labelled", self.point), ("defaults_on_labelled", self.default_point)):
            if p is not None:
                out[name] = {"answered": p.answered, "correct": p.correct, "wrong": p.wrong,
                             "wrong_rate": round(p.wrong_rate, 4),
                             "wrong_rate_upper_95": round(p.bound, 4)}
        return out


def _z(matrix: HitMatrix, reference: HitMatrix, weights: tuple[float, float, float],
       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query of ``matrix``: top score and lead in the reference's units, and top-is-right."""
    mean, sd = reference_stats(reference, weights)
    r = matrix.rank(*weights)
    return (r.top - mean) / sd, r.lead / sd, r.top_ok


def _point(z_top: np.ndarray, z_lead: np.ndarray, ok: np.ndarray, za: float, zm: float
           ) -> OperatingPoint:
    answer = (z_top >= za) & (z_lead >= zm)
    return OperatingPoint(int(answer.sum()), int((answer & ok).sum()), int((answer & ~ok).sum()))


def _grid(z_top: np.ndarray, z_lead: np.ndarray, ok: np.ndarray,
          reference: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int, float, float, int]]:
    """(correct, wrong, z answer, z margin, reference questions answered) of every threshold
    pair, most correct first."""
    za = np.asarray(Z_ANSWER)
    ref_top, ref_lead = reference
    out: list[tuple[int, int, float, float, int]] = []
    for zm in Z_MARGIN:
        answer = (z_top[:, None] >= za[None, :]) & (z_lead >= zm)[:, None]
        correct = (answer & ok[:, None]).sum(0)
        wrong = (answer & ~ok[:, None]).sum(0)
        ref = ((ref_top[:, None] >= za[None, :]) & (ref_lead >= zm)[:, None]).sum(0)
        out += [(int(c), int(w), float(a), zm, int(r))
                for c, w, a, r in zip(correct, wrong, za, ref, strict=True)]
    return sorted(out, key=lambda p: (-p[0], p[1]))


def calibrate(
    queries: HitMatrix | None,
    reference: HitMatrix,
    default: DayOne,
    max_wrong_rate: float,
    weight_grid: tuple[tuple[float, float, float], ...] = (),
) -> Calibration:
    """The operating point for this FAQ: the defaults, moved by ``queries`` only on evidence."""
    base = default.thresholds(reference)
    mean, sd = reference_stats(reference, default.weights)
    details: dict[str, Any] = {"reference_mean": round(mean, 4), "reference_sd": round(sd, 4),
                               "defaults": default.fitted_on, "max_wrong_rate": max_wrong_rate}
    if queries is None or len(queries) == 0:
        return Calibration(base, "day-one defaults", 0, 0, None, None, details)
    n, n_out = len(queries), int(queries.out_of_scope.sum())
    at_default = _z(queries, reference, default.weights)
    default_point = _point(*at_default, default.z_answer, default.z_margin)
    best: tuple[int, DayOne, OperatingPoint] | None = None
    floor = default_point.correct if default_point.bound <= max_wrong_rate else -1
    # labels without out-of-scope questions cannot show that those stay unanswered: then a
    # point may answer no more of the reference (hidden-entry) questions than the defaults do
    ref_cap = len(reference) + 1
    if n_out < MIN_OUT_OF_SCOPE:
        rt, rl, _ = _z(reference, reference, default.weights)
        ref_cap = int(((rt >= default.z_answer) & (rl >= default.z_margin)).sum())
        details["out_of_scope_guard"] = (
            f"{n_out} out-of-scope labelled queries (< {MIN_OUT_OF_SCOPE}): no point may answer "
            f"more than {ref_cap} of the {len(reference)} hidden-entry questions")
    for weights in (default.weights, *[w for w in weight_grid if w != default.weights]):
        for correct, wrong, za, zm, ref_answered in _grid(*_z(queries, reference, weights),
                                                          _z(reference, reference, weights)[:2]):
            if correct <= max(floor, best[0] if best else -1):
                break  # sorted: nothing further answers more correctly
            p = OperatingPoint(correct + wrong, correct, wrong)
            if ref_answered <= ref_cap and p.bound <= max_wrong_rate:
                best = (correct, DayOne(*weights, za, zm, min(default.z_clarify, za), "labelled"),
                        p)
                break
    if best is None and lower_bound(default_point.wrong, default_point.answered) > max_wrong_rate:
        for correct, wrong, za, zm, _ in _grid(*at_default,
                                               _z(reference, reference, default.weights)[:2]):
            p = OperatingPoint(correct + wrong, correct, wrong)
            if p.answered and p.wrong_rate <= max_wrong_rate:
                best = (correct, DayOne(*default.weights, za, zm, min(default.z_clarify, za),
                                        "tightened"), p)
                break
    if best is None:
        details["kept_defaults_because"] = (
            "no threshold setting answers more of the labelled queries correctly with a 95% "
            f"upper bound of the wrong-answer rate within {max_wrong_rate:.0%}")
        return Calibration(base, "day-one defaults", n, n_out, default_point, default_point,
                           details)
    chosen = best[1]
    details["z"] = {"answer": chosen.z_answer, "margin": chosen.z_margin,
                    "clarify": chosen.z_clarify}
    return Calibration(chosen.thresholds(reference), "labelled queries", n, n_out, best[2],
                       default_point, details)
