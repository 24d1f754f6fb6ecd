"""Publishing: the action server's knowledge base answers a new entry after its live reload, loading the
index the editor built (nothing embedded or restarted there), and a failed write puts the files back."""

from __future__ import annotations

import pytest

from faq_editor.editor import Change, FaqEditor
from faq_editor.entry_writer import EntryFields
from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base import knowledge_base as kb_module
from knowledge_base.embed_cache import CachedEmbedder

GIFT = EntryFields(
    "tarjeta-regalo",
    "es",
    "¿Tenéis tarjetas regalo?",
    "Sí: de 10 a 200 €, en tienda y en la web.",
    ("Quiero comprar un cheque regalo",),
    "promos",
)


def test_the_action_servers_kb_answers_a_published_entry_without_rebuilding(
    editor: FaqEditor,
    kb_settings: KBSettings,
    cached_embedder: CachedEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    action_server = KnowledgeBase.open(kb_settings, cached_embedder)  # as actions/knowledge.py holds it
    before = action_server.ask("quiero regalar una tarjeta regalo", "es")
    assert before.answer is None or before.answer.id != "tarjeta-regalo"

    editor.publish(Change(None, GIFT))

    def no_rebuild(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the action server rebuilt the index the editor had built")

    monkeypatch.setattr(kb_module, "build_index", no_rebuild)
    assert action_server.reload_if_changed()
    after = action_server.ask("quiero regalar una tarjeta regalo", "es")
    assert after.action == "answer" and after.answer is not None and after.answer.id == "tarjeta-regalo"
    assert (
        (kb_settings.path / "es" / "promos.yaml")
        .read_text(encoding="utf-8")
        .startswith("- id: tarjeta-regalo")
    )


def test_a_write_that_fails_puts_the_files_back(
    editor: FaqEditor, kb_settings: KBSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = kb_settings.path / "es" / "tienda.yaml"
    original = path.read_bytes()
    moved = EntryFields("envio-plazo", "en", "How long?", "2-4 days.", (), "tienda")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("faq_editor.editor.write_entry", broken)
    with pytest.raises(OSError):
        editor.publish(Change(("envio-plazo", "es"), moved))  # removes from es/, then fails writing en/
    assert path.read_bytes() == original
