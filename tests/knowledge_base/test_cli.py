from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge_base.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def test_eval_on_a_flat_json_kb_prints_the_contract_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"text": "cuanto tarda mi pedido", "expected": "envio-plazo", "lang": "es"}\n'
        '{"text": "quiero devolver algo", "expected": "devolucion", "lang": "es"}\n'
        '{"text": "receta de paella", "expected": null, "lang": "es"}\n'
    )
    code = main(["eval", "--kb", str(FIXTURES / "kb_flat.json"), "--queries", str(queries),
                 "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["per_lang"]["es"]["top1"] == 1.0
    assert report["per_lang"]["es"]["recall@3"] == 1.0
    assert 0.0 <= report["auroc"] <= 1.0
    for key in ("answered_correct", "wrong_answer_rate", "clarify_rate", "handoff_rate"):
        assert key in report["operating_point"]
    # no labelled file: the day-one defaults, with the bound reported next to the rate
    assert report["calibration"]["source"] == "day-one defaults"
    assert report["operating_point"]["wrong_answer_rate_upper_95"] >= (
        report["operating_point"]["wrong_answer_rate"])


def test_build_then_search_shows_candidates_and_decision(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    common = ["--kb", str(FIXTURES / "kb_small"), "--index-dir", str(tmp_path / "idx")]
    assert main(["build", *common, "--calibrate-on",
                 str(FIXTURES / "kb_small_queries.jsonl")]) == 0
    assert "built flat index: 6 entries" in capsys.readouterr().out
    assert main(["search", "xfa como devuelvo unas zapatillas", "--lang", "es", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith("decision: ")
    assert "devolucion" in out.splitlines()[1]


def test_invalid_kb_exits_with_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "kb.json"
    bad.write_text('[{"id": "a", "lang": "xx", "question": "q"}]')
    assert main(["eval", "--kb", str(bad), "--json"]) == 2
    err = capsys.readouterr().err
    assert "missing field 'answer'" in err and "unknown language 'xx'" in err
