from knowledge_base.bounds import lower_bound, upper_bound


def test_no_wrong_answer_out_of_60_still_bounds_the_rate_near_five_percent() -> None:
    assert abs(upper_bound(0, 60) - 0.0487) < 5e-4
    assert abs(upper_bound(0, 100) - 0.0295) < 5e-4


def test_bounds_bracket_the_observed_rate() -> None:
    assert lower_bound(5, 100) < 0.05 < upper_bound(5, 100)
    assert lower_bound(0, 100) == 0.0
    assert upper_bound(0, 0) == 1.0
