from __future__ import annotations

from knowledge_base.calibration import calibrate
from knowledge_base.evaluation import ScoredQuery, evaluate
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.retriever import Hit


def _scored(expected: str | None, *scores: tuple[str, float]) -> ScoredQuery:
    hits = [Hit(i, s, s, s, "es") for i, s in scores]
    return ScoredQuery(LabelledQuery("q", expected, "es"), hits)


def _data() -> list[ScoredQuery]:
    good = [_scored("a", ("a", 0.90 + i / 1000), ("b", 0.70)) for i in range(40)]
    confused = [_scored("a", ("b", 0.84), ("a", 0.83)) for _ in range(10)]
    outside = [_scored(None, ("b", 0.75 + i / 1000)) for i in range(20)]
    return good + confused + outside


def test_calibrated_point_keeps_wrong_answers_under_the_limit() -> None:
    data = _data()
    result = calibrate(data, max_wrong_rate=0.03)
    report = evaluate(data, result.thresholds)
    op = report.operating_point
    assert op["wrong_answer_rate"] <= 0.03
    assert op["answered_correct"] == 40 / 50  # every confident query is answered
    assert op["out_of_scope_handed_off"] == 1.0


def test_close_calls_become_clarifications_not_answers() -> None:
    data = _data()
    t = calibrate(data, max_wrong_rate=0.03).thresholds
    report = evaluate(data, t)
    assert report.operating_point["clarify_rate"] == 10 / 70
    assert report.operating_point["clarify_with_right_option"] == 1.0


def test_thresholds_follow_the_data_not_constants() -> None:
    shifted = [
        ScoredQuery(s.query, [Hit(h.entry_id, h.score - 0.3, h.full - 0.3, h.example - 0.3,
                                  "es") for h in s.hits])
        for s in _data()
    ]
    a = calibrate(_data()).thresholds
    b = calibrate(shifted).thresholds
    assert abs((a.answer - b.answer) - 0.3) < 0.02


def _with_lexical(expected: str, dense: dict[str, float], lexical: dict[str, float]
                  ) -> ScoredQuery:
    hits = [Hit(i, s, s, s, "es", lexical[i]) for i, s in dense.items()]
    return ScoredQuery(LabelledQuery("q", expected, "es"), hits)


def test_lexical_weight_is_kept_only_when_it_adds_correct_answers() -> None:
    # dense scores cannot tell a from b for these queries; the character n-grams can
    helped = [_with_lexical("a", {"b": 0.85, "a": 0.84 + i / 10000}, {"a": 0.6, "b": 0.1})
              for i in range(20)]
    plain = [_with_lexical("a", {"a": 0.90 + i / 1000, "b": 0.70}, {"a": 0.3, "b": 0.3})
             for i in range(20)]
    assert calibrate(helped + plain).thresholds.lexical_weight > 0
    noise = [_with_lexical("a", {"a": 0.90 + i / 1000, "b": 0.70}, {"a": 0.1, "b": 0.5})
             for i in range(20)]
    assert calibrate(plain + noise).thresholds.lexical_weight == 0.0
