from __future__ import annotations

from knowledge_base.decision import Thresholds
from knowledge_base.evaluation import ScoredQuery, auroc, evaluate
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.retriever import Hit


def test_auroc_separating_and_overlapping() -> None:
    assert auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auroc([0.5], [0.5]) == 0.5


def test_report_counts_top1_recall_and_rates_per_language() -> None:
    def sq(exp: str | None, lang: str, ids: list[str]) -> ScoredQuery:
        hits = [Hit(i, 0.9 - n * 0.1, 0.9 - n * 0.1, 0.9 - n * 0.1, lang)
                for n, i in enumerate(ids)]
        return ScoredQuery(LabelledQuery("q", exp, lang), hits)

    data = [sq("a", "es", ["a", "b"]), sq("a", "es", ["b", "c", "a"]), sq("b", "en", ["b"]),
            sq(None, "es", ["c"])]
    t = Thresholds(full_weight=0.5, answer=0.85, margin=0.0, clarify=0.85)
    report = evaluate(data, t)
    assert report.per_lang["es"] == {"n": 2, "top1": 0.5, "recall@3": 1.0}
    assert report.per_lang["en"]["top1"] == 1.0
    op = report.operating_point
    assert op["answered_correct"] == 2 / 3
    assert op["wrong_answer_rate"] == 2 / 4  # one wrong entry + one out-of-scope answered
    assert op["handoff_rate"] == 0.0
