"""The entry files the editor writes: the KB reads back exactly what was saved, and nothing else in the file
changes (other entries, comments, blank lines, order)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faq_editor.editor import to_fields
from faq_editor.entry_writer import EntryFields, NotEditable, file_for_new, remove_entry, write_entry
from knowledge_base.catalog import Catalog
from knowledge_base.settings import DEMO_KB_DIR


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(DEMO_KB_DIR, target)
    return target


def test_rewriting_every_demo_entry_unchanged_leaves_every_file_byte_identical(demo: Path) -> None:
    files = {p: p.read_bytes() for p in demo.rglob("*.yaml")}
    catalog = Catalog.load(demo)
    for e in catalog.entries:
        write_entry(Path(e.source.rpartition(":")[0]), to_fields(e))
    assert {p: p.read_bytes() for p in demo.rglob("*.yaml")} == files
    assert Catalog.load(demo).content_hash == catalog.content_hash


def test_an_edit_touches_only_its_entry_and_keeps_comments(demo: Path) -> None:
    path = demo / "es" / "envios.yaml"
    path.write_text("# Envíos: revisado por Marta\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    others = {(x.id, x.lang): to_fields(x) for x in Catalog.load(demo).entries}
    e = others.pop(("envio-coste", "es"))
    edited = EntryFields(
        e.id,
        "es",
        "¿Cuánto cuesta el envío? #tarifas",
        'Depende: "estándar" 4,95 €.\n\nGratis',
        ("precio: envío", "- con guion"),
        e.category,
        "https://x.example/a?b=1#c",
        "2026-12-03",
    )
    write_entry(path, edited)
    assert path.read_text(encoding="utf-8").startswith("# Envíos: revisado por Marta\n- id: envio-plazo")
    now = {(x.id, x.lang): to_fields(x) for x in Catalog.load(demo).entries}
    assert now.pop(("envio-coste", "es")) == edited
    assert now == others
    remove_entry(path, "envio-coste", "es")
    assert ("envio-coste", "es") not in {(x.id, x.lang) for x in Catalog.load(demo).entries}
    assert path.read_text(encoding="utf-8").startswith("# Envíos: revisado por Marta\n")


def test_new_entries_go_to_their_language_and_category_file(demo: Path, tmp_path: Path) -> None:
    fields = EntryFields("nuevo", "en", "New?", "Yes.", (), "novedades")
    assert file_for_new(demo, fields) == demo / "en" / "novedades.yaml"
    write_entry(file_for_new(demo, fields), fields)
    assert Catalog.load(demo).get("nuevo", "en") is not None
    with pytest.raises(NotEditable):
        write_entry(demo / "README.md", fields)
    one_file = tmp_path / "faq.json"
    one_file.write_text("[]", encoding="utf-8")
    with pytest.raises(NotEditable):
        file_for_new(one_file, fields)
