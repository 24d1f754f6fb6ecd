from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge_base.catalog import Catalog, KBValidationError

FIXTURES = Path(__file__).parent / "fixtures"


def test_loads_yaml_directory_with_both_languages() -> None:
    catalog = Catalog.load(FIXTURES / "kb_small")
    assert len(catalog.ids) == 6
    plazo = catalog.get("envio-plazo", "en")
    assert plazo is not None and plazo.lang == "en"
    assert plazo.answer.startswith("Orders arrive")
    es = catalog.get("envio-plazo", "es")
    assert es is not None and es.updated == dt.date(2026, 11, 16)
    assert es.source.endswith("es/tienda.yaml:1")


def test_get_falls_back_to_another_language() -> None:
    catalog = Catalog.load(FIXTURES / "kb_small")
    horario = catalog.get("tienda-horario", "en")  # only written in Spanish
    assert horario is not None and horario.lang == "es"
    assert catalog.get("no-such-entry", "es") is None


def test_every_problem_is_reported_at_once_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "faq.yaml").write_text(
        "- id: a\n"            # 1
        "  question: Hola\n"    # 2
        "  answer: Bien\n"      # 3
        "- id: a\n"            # 4  duplicate id
        "  question: Otra\n"    # 5
        "  answer: Otra\n"      # 6
        "- id: b\n"            # 7
        "  question: Vacía\n"   # 8
        "  answer: ''\n"        # 9  empty answer
        "- id: c\n"            # 10
        "  lang: fr\n"          # 11 unknown language
        "  question: Salut\n"
        "  answer: Oui\n"
        "- id: d\n"            # 14 missing question
        "  answer: Sin pregunta\n"
        "- id: e\n"
        "  question: Fecha\n"
        "  answer: Mala\n"
        "  updated: 2026-13-45\n",  # 19 bad date
        encoding="utf-8",
    )
    with pytest.raises(KBValidationError) as err:
        Catalog.load(tmp_path)
    text = str(err.value)
    faq = str(tmp_path / "es" / "faq.yaml")
    assert f"{faq}:4: duplicate id 'a'" in text
    assert f"{faq}:9: empty 'answer'" in text
    assert f"{faq}:11: unknown language 'fr'" in text
    assert f"{faq}:14: missing field 'question'" in text
    assert f"{faq}:19: bad date" in text
    assert len(err.value.problems) == 5


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text("- id: a\n  question: [unclosed\n", encoding="utf-8")
    with pytest.raises(KBValidationError, match=r"faq.yaml:\d+: invalid YAML"):
        Catalog.load(tmp_path)


def test_flat_json_list_is_accepted() -> None:
    catalog = Catalog.load(FIXTURES / "kb_flat.json")
    assert catalog.ids == ["devolucion", "envio-plazo", "pago-metodos"]
    entry = catalog.get("envio-plazo")
    assert entry is not None and entry.alt_questions == ("Plazo de entrega",)


def test_flat_json_problems_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_text(
        '[\n  {"id": "a", "question": "q", "answer": "x", "lang": "es"},\n'
        '  {"id": "b", "question": "q", "lang": "es"}\n]\n',
        encoding="utf-8",
    )
    with pytest.raises(KBValidationError, match=r"kb.json:3: missing field 'answer'"):
        Catalog.load(path)


def test_markdown_entry_with_front_matter(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "returns.md").write_text(
        "---\nid: devolucion\nquestion: How do I return a product?\n"
        "alt_questions:\n  - Send something back\n---\n\nYou have **30 days**.\n",
        encoding="utf-8",
    )
    entry = Catalog.load(tmp_path).get("devolucion", "en")
    assert entry is not None
    assert entry.lang == "en"  # from the directory
    assert entry.answer == "You have **30 days**."


def test_content_hash_changes_when_an_answer_changes(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_text('[{"id": "a", "question": "q", "answer": "x", "lang": "es"}]')
    before = Catalog.load(path).content_hash
    path.write_text('[{"id": "a", "question": "q", "answer": "y", "lang": "es"}]')
    assert Catalog.load(path).content_hash != before
