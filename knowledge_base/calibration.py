"""Thresholds calibrated from labelled queries: never hand-picked constants.

A grid search over the full/example mix, the lexical weight, the answer threshold, the lead
margin and the clarify threshold picks the operating point that maximises the number of
correct answers subject to wrong answers (wrong entry, or any answer to an out-of-scope query)
being at most ``max_wrong_rate`` of the answered queries; ties are broken by

    0.5 * clarifications offering the right entry - 0.5 * clarifications that do not

(measured by 5-fold cross-validation on the demo calibration split: ranking correct answers
first answers more queries at the same wrong-answer rate than adding the two terms up).
Threshold candidates are midpoints between observed scores, so the point does not sit on a
single calibration query. A lexical weight above 0 is only chosen when it gives more correct
answers than leaving it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.decision import Thresholds
from knowledge_base.evaluation import ScoredQuery, ranked

__all__ = ["FULL_WEIGHTS", "LEXICAL_WEIGHTS", "MARGINS", "Calibration", "calibrate"]

FULL_WEIGHTS = tuple(round(x, 2) for x in np.linspace(0.0, 1.0, 11))
LEXICAL_WEIGHTS = (0.0, 0.1, 0.2)
MARGINS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08)


@dataclass(frozen=True)
class Calibration:
    thresholds: Thresholds
    objective: float
    n_queries: int
    n_out_of_scope: int


def _candidates(values: np.ndarray, n: int) -> np.ndarray:
    uniq = np.unique(values)
    mids = (uniq[1:] + uniq[:-1]) / 2 if len(uniq) > 1 else uniq
    cand = np.concatenate([[uniq[0] - 1e-3], mids, [uniq[-1] + 1e-3]])
    if len(cand) > n:
        cand = np.quantile(cand, np.linspace(0, 1, n))
    return np.unique(cand)


def calibrate(
    scored: Sequence[ScoredQuery], max_wrong_rate: float = 0.03, top_k: int = 3
) -> Calibration:
    """Best operating point on ``scored`` (queries with enough hits to re-rank)."""
    if not scored:
        raise ValueError("calibration needs labelled queries")
    n_out = sum(s.query.expected is None for s in scored)
    has_lexical = any(h.lexical != 0.0 for s in scored for h in s.hits)
    lexical_weights = LEXICAL_WEIGHTS if has_lexical else (0.0,)
    best: tuple[tuple[float, float, float, float, float], Thresholds] | None = None
    for w, lw in ((w, lw) for lw in lexical_weights for w in FULL_WEIGHTS):
        top, lead, top_ok, exp_score = _arrays(scored, w, top_k, lw)
        a_cands = _candidates(top, 80)
        c_cands = _candidates(top, 40)
        for m in MARGINS:
            leads = lead >= m
            for a in a_cands:
                answer = (top >= a) & leads
                n_answered = int(answer.sum())
                wrong = int((answer & ~top_ok).sum())
                if wrong > max_wrong_rate * n_answered:
                    continue
                correct = int((answer & top_ok).sum())
                cs = c_cands[c_cands <= a]
                if len(cs) == 0:
                    cs = np.array([a])
                # queries x clarify-thresholds
                clar = (~answer)[:, None] & (top[:, None] >= cs[None, :])
                hit = clar & (exp_score[:, None] >= cs[None, :])
                clarified = 0.5 * hit.sum(0) - 0.5 * (clar.sum(0) - hit.sum(0))
                j = int(np.argmax(clarified))
                # on a tie, the smaller lexical weight wins: it is kept only for more correct answers
                key = (float(correct), float(clarified[j]), -float(wrong), -lw, float(a))
                if best is None or key > best[0]:
                    t = Thresholds(float(w), float(a), float(m), float(cs[j]), float(lw))
                    best = (key, t)
    if best is None:  # cannot answer anything safely: clarify or hand off everything
        top, *_ = _arrays(scored, 0.5, top_k)
        t = Thresholds(0.5, float(top.max()) + 1.0, 1.0, float(np.median(top)))
        return Calibration(t, 0.0, len(scored), n_out)
    return Calibration(best[1], best[0][0] + best[0][1], len(scored), n_out)


def _arrays(
    scored: Sequence[ScoredQuery], w: float, top_k: int, lexical_weight: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per query: top score, lead over the runner-up, top is right, score of the right entry
    when it is within the first ``top_k`` (else -inf)."""
    n = len(scored)
    top = np.full(n, -1.0)
    lead = np.full(n, 1.0)
    top_ok = np.zeros(n, dtype=bool)
    exp_score = np.full(n, -np.inf)
    for i, s in enumerate(scored):
        ranking = ranked(s.hits, w, lexical_weight)
        if not ranking:
            continue
        top[i] = ranking[0][1]
        if len(ranking) > 1:
            lead[i] = ranking[0][1] - ranking[1][1]
        top_ok[i] = ranking[0][0] == s.query.expected
        for entry_id, score in ranking[:top_k]:
            if entry_id == s.query.expected:
                exp_score[i] = score
    return top, lead, top_ok, exp_score
