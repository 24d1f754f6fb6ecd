from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base.embedder import Embedder
from knowledge_base.settings import DEMO_KB_DIR


def test_the_demo_calibrates_on_its_own_labelled_file() -> None:
    assert KBSettings().calibration_queries is None
    assert KBSettings().calibration_file() == DEMO_KB_DIR / "queries" / "calibration.jsonl"


def test_a_faq_without_labelled_queries_has_no_calibration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "faq.csv").write_text("question,answer\nHi?,Hello\n", encoding="utf-8")
    monkeypatch.setenv("KB_PATH", str(tmp_path))
    assert KBSettings().calibration_file() is None
    monkeypatch.setenv("KB_PATH", str(tmp_path / "faq.csv"))
    assert KBSettings().calibration_file() is None


def test_a_faq_s_own_labelled_file_is_found_for_a_directory_and_for_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "faq.csv").write_text("question,answer\nHi?,Hello\n", encoding="utf-8")
    own = tmp_path / "queries" / "calibration.jsonl"
    own.parent.mkdir()
    own.write_text('{"text": "hello?", "expected": "hi", "lang": "en"}\n', encoding="utf-8")
    assert KBSettings(path=tmp_path).calibration_file() == own
    assert KBSettings(path=tmp_path / "faq.csv").calibration_file() == own
    explicit = tmp_path / "other.jsonl"
    monkeypatch.setenv("KB_CALIBRATION_QUERIES", str(explicit))
    assert KBSettings(path=tmp_path).calibration_file() == explicit


def test_kb_path_alone_builds_and_answers_a_faq_with_no_labelled_queries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: Embedder
) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text(
        "pregunta;respuesta\n"
        "¿Vendéis tarjetas regalo?;Sí, de 10 a 200 euros.\n"
        "¿Cuánto tarda el envío?;Entre 24 y 48 horas.\n"
        "¿Puedo devolver un producto?;Sí, durante 30 días.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("KB_PATH", str(faq))
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "index"))
    kb = KnowledgeBase.open(KBSettings(), embedder)
    decision = kb.ask("¿Cuánto tarda el envío?", lang="es")
    assert decision.candidates[0].entry_id == "cuanto-tarda-el-envio"
    assert decision.action == "answer", decision.reason
    assert decision.answer is not None and decision.answer.answer == "Entre 24 y 48 horas."
