from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from knowledge_base import IndexStaleError, KBSettings, KnowledgeBase
from knowledge_base.embedder import Embedder


@pytest.fixture()
def kb(settings: KBSettings, embedder: Embedder) -> KnowledgeBase:
    return KnowledgeBase.open(settings, embedder)


def _manifest(settings: KBSettings) -> dict[str, object]:
    return json.loads((settings.index_dir / "manifest.json").read_text())


def test_open_builds_a_calibrated_index_with_a_manifest(kb: KnowledgeBase,
                                                        settings: KBSettings) -> None:
    m = _manifest(settings)
    assert m["model_id"] == kb.embedder.model_id
    assert m["index_kind"] == "flat"
    assert m["n_entries"] == 6
    thresholds = set(m["thresholds"])  # type: ignore[arg-type]
    assert thresholds == {"full_weight", "answer", "margin", "clarify", "lexical_weight",
                          "sentence_weight"}
    assert (settings.index_dir / "lexical.npz").is_file()
    calibration = m["calibration"]
    assert calibration["file"].endswith("kb_small_queries.jsonl")  # type: ignore[index]
    assert calibration["labels_as_examples"] is True  # type: ignore[index]
    # 20 labelled queries are no evidence to answer more than the defaults: they stay
    assert calibration["source"] == "day-one defaults"  # type: ignore[index]
    assert (settings.index_dir / "index.faiss").is_file()


def test_informal_spanish_question_is_answered_in_spanish(kb: KnowledgeBase) -> None:
    d = kb.ask("holaaa cuanto tarda en llegar mi pedido??", lang="es")
    assert d.action == "answer", d.reason
    assert d.answer is not None and d.answer.id == "envio-plazo" and d.answer.lang == "es"
    assert d.candidates[0].entry_id == "envio-plazo"
    assert "answer threshold" in d.reason


def test_answer_comes_in_the_requested_language(kb: KnowledgeBase) -> None:
    d = kb.ask("cuanto tarda en llegar mi pedido", lang="en")
    assert d.candidates[0].entry_id == "envio-plazo"
    assert d.candidates[0].lang == "en"
    assert d.candidates[0].answer.startswith("Orders arrive")


def test_entry_missing_in_the_requested_language_falls_back(kb: KnowledgeBase) -> None:
    d = kb.ask("what time do the shops open", lang="en")
    assert d.candidates[0].entry_id == "tienda-horario"
    assert d.candidates[0].lang == "es"


def test_out_of_scope_question_is_handed_off(kb: KnowledgeBase) -> None:
    d = kb.ask("cual es la receta del gazpacho andaluz", lang="es")
    assert d.action == "handoff", d.reason
    assert d.answer is None
    assert "clarify threshold" in d.reason


def test_get_returns_the_entry_a_customer_picked(kb: KnowledgeBase) -> None:
    entry = kb.get("devolucion", lang="en")
    assert entry is not None and entry.lang == "en"
    assert kb.get("nope") is None


def test_reopening_loads_the_stored_index_without_rebuilding(
    kb: KnowledgeBase, settings: KBSettings, embedder: Embedder
) -> None:
    built_at = _manifest(settings)["built_at"]
    os.utime(settings.index_dir / "manifest.json", (0, 0))
    again = KnowledgeBase.open(settings, embedder)
    assert again.index.manifest.built_at == built_at
    assert (settings.index_dir / "manifest.json").stat().st_mtime == 0


def test_changed_kb_makes_the_index_stale_and_it_is_rebuilt(
    kb: KnowledgeBase, settings: KBSettings, embedder: Embedder, kb_dir: Path
) -> None:
    old_hash = _manifest(settings)["kb_hash"]
    es = kb_dir / "es" / "tienda.yaml"
    es.write_text(es.read_text().replace("2-4 días", "1-2 días"), encoding="utf-8")
    again = KnowledgeBase.open(settings, embedder)
    assert _manifest(settings)["kb_hash"] != old_hash
    entry = again.get("envio-plazo", "es")
    assert entry is not None and "1-2 días" in entry.answer


def test_stale_index_is_refused_when_auto_rebuild_is_off(
    kb: KnowledgeBase, settings: KBSettings, embedder: Embedder, kb_dir: Path
) -> None:
    es = kb_dir / "es" / "tienda.yaml"
    es.write_text(es.read_text().replace("2-4 días", "1-2 días"), encoding="utf-8")
    strict = settings.model_copy(update={"auto_rebuild": False})
    with pytest.raises(IndexStaleError, match="KB content changed"):
        KnowledgeBase.open(strict, embedder)


def test_index_without_its_lexical_file_is_stale(
    kb: KnowledgeBase, settings: KBSettings, embedder: Embedder
) -> None:
    (settings.index_dir / "lexical.npz").unlink()
    strict = settings.model_copy(update={"auto_rebuild": False})
    with pytest.raises(IndexStaleError, match=r"lexical\.npz is missing"):
        KnowledgeBase.open(strict, embedder)
    KnowledgeBase.open(settings, embedder)
    assert (settings.index_dir / "lexical.npz").is_file()


def test_reload_if_changed_picks_up_an_edit_without_restarting(
    kb: KnowledgeBase, kb_dir: Path
) -> None:
    assert kb.reload_if_changed() is False  # nothing changed: cheap no-op
    en = kb_dir / "en" / "tienda.yaml"
    en.write_text(
        en.read_text()
        + "\n- id: regalo\n  lang: en\n  question: Do you offer gift wrapping?\n"
        "  answer: Yes, gift wrapping costs 2 euros.\n",
        encoding="utf-8",
    )
    answers: list[str] = []
    reader = threading.Thread(target=lambda: answers.append(kb.ask("devolver", "es").action))
    reader.start()
    assert kb.reload_if_changed() is True
    reader.join()
    assert answers  # a query running during the reload was served
    entry = kb.get("regalo", "en")
    assert entry is not None and entry.answer.startswith("Yes")
    assert kb.ask("can you gift wrap my order", lang="en").candidates[0].entry_id == "regalo"


def test_broken_edit_keeps_the_current_index_serving(kb: KnowledgeBase, kb_dir: Path) -> None:
    en = kb_dir / "en" / "tienda.yaml"
    en.write_text(en.read_text() + "\n- id: broken\n  lang: en\n  question: Hi\n")
    with pytest.raises(ValueError, match="missing field 'answer'"):
        kb.reload_if_changed()
    assert kb.ask("cuanto cuesta el envio", lang="es").candidates[0].entry_id == "envio-coste"


def test_without_labelled_queries_the_day_one_defaults_answer(
    settings: KBSettings, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(settings.model_copy(update={"calibration_queries": None}), embedder)
    assert kb.index.manifest.calibration["source"] == "day-one defaults"
    assert kb.ask("¿Cómo devuelvo un producto?", lang="es").action == "answer"
