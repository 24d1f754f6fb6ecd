"""Bounded calibration: labelled queries move the day-one defaults only on evidence."""

from __future__ import annotations

from knowledge_base.calibration import calibrate
from knowledge_base.day_one import DayOne
from knowledge_base.evaluation import ScoredQuery
from knowledge_base.hit_matrix import HitMatrix
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.retriever import Hit

DEFAULTS = DayOne(1.0, 0.0, 0.0, z_answer=2.0, z_margin=0.5, z_clarify=0.0)


def _q(expected: str | None, *scores: tuple[str, float]) -> ScoredQuery:
    return ScoredQuery(LabelledQuery("q", expected, "es"),
                       [Hit(i, s, s, s, "es") for i, s in scores])


def _reference(shift: float = 0.0) -> HitMatrix:
    # hidden-entry questions score 0.70 +- 0.05: mean 0.70, sd 0.05
    return HitMatrix.from_scored([_q(None, ("x", 0.65 + shift)), _q(None, ("x", 0.75 + shift))])


def _clean(n: int, score: float, shift: float = 0.0) -> list[ScoredQuery]:
    """In-scope queries whose right entry leads clearly at ``score``."""
    return [_q("a", ("a", score + shift + i * 1e-5), ("b", 0.60 + shift)) for i in range(n)]


def test_without_labelled_queries_the_defaults_become_thresholds_of_this_faq() -> None:
    result = calibrate(None, _reference(), DEFAULTS, 0.03)
    assert result.source == "day-one defaults"
    assert abs(result.thresholds.answer - (0.70 + 2.0 * 0.05)) < 1e-6
    assert abs(result.thresholds.margin - 0.5 * 0.05) < 1e-6


def test_a_few_labelled_queries_cannot_promise_the_rate_so_the_defaults_stay() -> None:
    # 30 clean queries at z=1 (below the default answer threshold z=2): answering them would
    # be right every time, but 0 wrong of 30 only bounds the wrong rate at 9.5%
    queries = HitMatrix.from_scored(_clean(30, 0.75))
    result = calibrate(queries, _reference(), DEFAULTS, 0.03)
    assert result.source == "day-one defaults"
    assert result.point is not None and result.point.answered == 0
    assert "upper bound" in result.details["kept_defaults_because"]


def test_enough_clean_evidence_moves_the_point_and_its_bound_is_kept() -> None:
    queries = HitMatrix.from_scored(_clean(150, 0.75) + [_q(None, ("b", 0.55))] * 20)
    result = calibrate(queries, _reference(), DEFAULTS, 0.03)
    assert result.source == "labelled queries"
    assert result.point is not None
    assert result.point.correct == 150 and result.point.wrong == 0
    assert result.point.bound <= 0.03
    assert result.thresholds.answer <= 0.75


def test_defaults_shown_to_be_wrong_too_often_are_tightened() -> None:
    # confident queries (z=4) answered with the wrong entry 30% of the time
    wrong = [_q("a", ("b", 0.90), ("a", 0.70)) for _ in range(30)]
    right = [_q("a", ("a", 0.95), ("b", 0.70)) for _ in range(70)]
    queries = HitMatrix.from_scored(wrong + right)
    result = calibrate(queries, _reference(), DEFAULTS, 0.03)
    assert result.default_point is not None and result.default_point.wrong == 30
    assert result.point is not None and result.point.wrong_rate <= 0.03
    assert result.thresholds.answer > 0.90


def test_thresholds_move_with_the_faqs_own_scores() -> None:
    # a FAQ whose scores all sit 0.2 lower gets thresholds 0.2 lower: z units transfer
    a = calibrate(None, _reference(), DEFAULTS, 0.03).thresholds
    b = calibrate(None, _reference(-0.2), DEFAULTS, 0.03).thresholds
    assert abs((a.answer - b.answer) - 0.2) < 1e-6
    assert abs(a.margin - b.margin) < 1e-9


def test_labels_without_out_of_scope_questions_cannot_loosen_past_the_reference() -> None:
    # the same clean evidence, but nothing out of scope among the labels (Banking77-style):
    # answering them would also answer an in-domain question the FAQ does not cover
    queries = HitMatrix.from_scored(_clean(150, 0.75))
    result = calibrate(queries, _reference(), DEFAULTS, 0.03)
    assert result.source == "day-one defaults"
    assert "hidden-entry" in result.details["out_of_scope_guard"]
