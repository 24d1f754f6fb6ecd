"""Quality metrics of a KB over labelled queries: ranking, rejection and the operating point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge_base.bounds import upper_bound
from knowledge_base.decision import Thresholds, decide_action
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.retriever import Hit

__all__ = ["EvalReport", "ScoredQuery", "auroc", "evaluate", "ranked"]


@dataclass(frozen=True)
class ScoredQuery:
    query: LabelledQuery
    hits: list[Hit]  # enough candidates to re-rank under any full_weight


def ranked(
    hits: Sequence[Hit], full_weight: float, lexical_weight: float = 0.0,
    sentence_weight: float = 0.0,
) -> list[tuple[str, float]]:
    """(entry id, score) best first under the score weights."""
    pairs = [(h.entry_id, h.scored(full_weight, lexical_weight, sentence_weight)) for h in hits]
    return sorted(pairs, key=lambda p: p[1], reverse=True)


def auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    """Probability that an in-scope query outscores an out-of-scope one (ties count half)."""
    if not positive or not negative:
        return float("nan")
    pos = np.asarray(positive)[:, None]
    neg = np.asarray(negative)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


@dataclass
class EvalReport:
    """What ``python -m knowledge_base eval`` prints (``as_dict`` is the ``--json`` shape)."""

    n_queries: int
    n_in_scope: int
    n_out_of_scope: int
    per_lang: dict[str, dict[str, float]] = field(default_factory=dict)
    auroc: float = float("nan")
    operating_point: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "n_queries": self.n_queries,
            "n_in_scope": self.n_in_scope,
            "n_out_of_scope": self.n_out_of_scope,
            "per_lang": self.per_lang,
            "auroc": self.auroc,
            "operating_point": self.operating_point,
            "thresholds": self.thresholds,
        }


def evaluate(scored: Sequence[ScoredQuery], t: Thresholds, top_k: int = 3) -> EvalReport:
    inside = [s for s in scored if s.query.expected is not None]
    report = EvalReport(len(scored), len(inside), len(scored) - len(inside),
                        thresholds=t.as_dict())
    by_lang: dict[str, list[tuple[bool, bool]]] = {}
    pos: list[float] = []
    neg: list[float] = []
    counts = dict.fromkeys(
        ("correct", "wrong", "wrong_oos", "clarify", "clarify_hit", "handoff", "handoff_oos",
         "answered_in"), 0
    )
    for s in scored:
        ranking = ranked(s.hits, t.full_weight, t.lexical_weight, t.sentence_weight)
        ids = [r[0] for r in ranking]
        top = ranking[0][1] if ranking else float("-inf")
        expected = s.query.expected
        action, offered, _ = decide_action([r[1] for r in ranking], t)
        if expected is not None:
            by_lang.setdefault(s.query.lang, []).append(
                (ids[:1] == [expected], expected in ids[:3])
            )
            pos.append(top)
        else:
            neg.append(top)
        if action == "answer":
            if expected is not None:
                counts["answered_in"] += 1
            if expected is not None and ids[0] == expected:
                counts["correct"] += 1
            else:
                counts["wrong"] += 1
                counts["wrong_oos"] += expected is None
        elif action == "clarify":
            counts["clarify"] += 1
            counts["clarify_hit"] += expected is not None and expected in ids[: min(offered, top_k)]
        else:
            counts["handoff"] += 1
            counts["handoff_oos"] += expected is None
    for lang, marks in sorted(by_lang.items()):
        report.per_lang[lang] = {
            "n": len(marks),
            "top1": sum(m[0] for m in marks) / len(marks),
            "recall@3": sum(m[1] for m in marks) / len(marks),
        }
    report.auroc = auroc(pos, neg)
    n, n_in, n_out = len(scored), max(len(inside), 1), max(len(scored) - len(inside), 1)
    answered = counts["correct"] + counts["wrong"]
    report.operating_point = {
        "answered_correct": counts["correct"] / n_in,
        "in_scope_answered": counts["answered_in"] / n_in,
        "wrong_answer_rate": counts["wrong"] / max(answered, 1),
        "wrong_answer_rate_upper_95": upper_bound(counts["wrong"], answered),
        "wrong_answers_of_all": counts["wrong"] / max(n, 1),
        "clarify_rate": counts["clarify"] / max(n, 1),
        "clarify_with_right_option": counts["clarify_hit"] / max(counts["clarify"], 1),
        "handoff_rate": counts["handoff"] / max(n, 1),
        "out_of_scope_handed_off": counts["handoff_oos"] / n_out,
        "out_of_scope_answered": counts["wrong_oos"] / n_out,
    }
    return report
