from __future__ import annotations

from knowledge_base.decision import Thresholds, decide_action

T = Thresholds(full_weight=0.5, answer=0.85, margin=0.03, clarify=0.80)


def test_confident_and_clear_lead_answers() -> None:
    action, offered, reason = decide_action([0.9, 0.82], T)
    assert (action, offered) == ("answer", 1)
    assert "0.900 >= answer threshold 0.850" in reason


def test_close_runner_up_asks_to_clarify_with_both_options() -> None:
    action, offered, reason = decide_action([0.9, 0.89, 0.7], T)
    assert (action, offered) == ("clarify", 2)
    assert "apart" in reason


def test_middle_band_clarifies() -> None:
    action, offered, _ = decide_action([0.82, 0.6], T)
    assert (action, offered) == ("clarify", 1)


def test_below_clarify_threshold_hands_off() -> None:
    action, offered, reason = decide_action([0.7, 0.6], T)
    assert (action, offered) == ("handoff", 0)
    assert "< clarify threshold" in reason


def test_empty_kb_hands_off() -> None:
    assert decide_action([], T)[0] == "handoff"
