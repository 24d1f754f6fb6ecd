"""The labelled-queries benchmark's tables: a reader finds each held-out set's numbers."""

from __future__ import annotations

from benchmarks.kb_labels_report import mean_table, per_set_table


def _row(top1: float, bound: float = float("nan")) -> dict[str, float]:
    return {"es_top1": top1, "answered_correct": 0.2, "in_scope_answered": 0.25,
            "wrong_answer_rate": 0.04, "out_of_scope_answered": 0.02, "bound": bound,
            "moved": 0.0}


RESULTS = {
    ("banco", "calibrate", 0): [_row(0.7), _row(0.7)],
    ("banco", "examples", 10): [_row(0.6, 0.5), _row(0.8, 0.7)],
    ("telecom", "calibrate", 0): [_row(0.5), _row(0.5)],
    ("telecom", "examples", 10): [_row(0.9, 0.4), _row(0.7, float("nan"))],
}


def test_per_set_table_has_one_row_per_set_and_label_count_averaged_over_draws() -> None:
    lines = per_set_table(RESULTS, (0, 10), "examples").splitlines()
    body = lines[2:]
    assert [line.split(" | ")[:2] for line in body] == [
        ["| banco", "0"], ["| banco", "10"], ["| telecom", "0"], ["| telecom", "10"]]
    # 0 labels: the day-one defaults (measured under calibrate); 10: mean of the two draws
    assert body[0].split(" | ")[2] == "0.700"
    assert body[1].split(" | ")[2] == "0.700"
    assert body[3].split(" | ")[2] == "0.800"


def test_mean_table_averages_every_set_and_skips_unmeasured_bounds() -> None:
    lines = mean_table(RESULTS, (0, 10), ("calibrate", "examples")).splitlines()
    rows = {tuple(line.split(" | ")[:2]): line.split(" | ") for line in lines[2:]}
    assert set(rows) == {("| 0", "calibrate"), ("| 10", "examples")}
    assert rows[("| 10", "examples")][2] == "0.750"  # top-1 over 2 sets x 2 draws
    assert rows[("| 10", "examples")][7] == "0.533"  # bound: nan draw left out
    assert rows[("| 0", "calibrate")][7] == "nan"
