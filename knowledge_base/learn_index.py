"""A learning run on a KB's settings: judge new labels, and on success write the learned examples
and the new index (``KB_INDEX_DIR``), which a running bot live-reloads (``reload_if_changed``).

Rolled back: nothing is written. Kept: the learned file first, then the index (its manifest last):
a running bot looks again only once the manifest changed, and then finds both consistent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from knowledge_base.built_index import BuiltIndex
from knowledge_base.catalog import Catalog
from knowledge_base.day_one import DayOne
from knowledge_base.embedder import Embedder
from knowledge_base.knowledge_base import build_index, labels_file, recipe_from
from knowledge_base.labelled_queries import LabelledQuery, load_queries
from knowledge_base.learn import Run, learn
from knowledge_base.learned import (
    Learned,
    learned_file,
    learned_sha256,
    learned_text,
    load_learned,
    save_learned,
)
from knowledge_base.settings import KBSettings

__all__ = ["default_test_file", "learn_into_index", "rebuild_if_needed"]

TEST_FILE = Path("queries") / "test.jsonl"


def default_test_file(settings: KBSettings) -> Path | None:
    """The FAQ's own test queries (``queries/test.jsonl`` next to its entries), if any."""
    root = settings.path if settings.path.is_dir() else settings.path.parent
    path = root / TEST_FILE
    return path if path.is_file() else None


def _stored(settings: KBSettings, catalog: Catalog, embedder: Embedder) -> BuiltIndex | None:
    stored, _ = BuiltIndex.load(settings.index_dir, catalog, embedder, recipe_from(settings))
    return stored


def learn_into_index(
    settings: KBSettings,
    embedder: Embedder,
    new: Sequence[Learned],
    test: Path | None = None,
    defaults: DayOne | None = None,
) -> Run:
    """Judge ``new`` against the FAQ's labelled queries and its learned examples; keep -> write.
    ``defaults``: the day-one thresholds (None: the shipped ``day_one.json``; benchmarks pass
    ones fitted without the FAQ under test)."""
    catalog = Catalog.load(settings.path, settings.languages)
    ids = set(catalog.ids)
    labels = labels_file(settings)
    own: list[LabelledQuery] = load_queries(labels, ids) if labels else []
    previous = load_learned(learned_file(settings), ids)
    test = test or default_test_file(settings)
    test_queries = load_queries(test, ids) if test else []
    usable = [e for e in new if e.query.expected is None or e.query.expected in ids]
    run = learn(catalog, embedder, recipe_from(settings),
                known=[*own, *(e.query for e in previous)], test=test_queries, new=usable,
                hnsw_threshold=settings.hnsw_threshold, max_wrong_rate=settings.max_wrong_rate,
                threads=settings.threads, reuse=_stored(settings, catalog, embedder),
                defaults=defaults)
    if run.kept and run.index is not None:
        _write(settings, run.index, labels, [*previous, *run.used])
    return run


def rebuild_if_needed(settings: KBSettings, embedder: Embedder) -> bool:
    """Rebuild the index when the learned examples changed since it was built (an admin removed
    one): True when it was rebuilt. No judging: removing an example is the admin's call."""
    catalog = Catalog.load(settings.path, settings.languages)
    stored = _stored(settings, catalog, embedder)
    path = learned_file(settings)
    if stored is not None and stored.manifest.calibration.get("learned_sha256") == learned_sha256(path):
        return False
    built = build_index(catalog, embedder, settings, labels_file(settings), stored)
    built.save(settings.index_dir)
    return True


def _write(settings: KBSettings, built: BuiltIndex, labels: Path | None,
           examples: Sequence[Learned]) -> None:
    m = built.manifest
    m.calibration["labels_sha256"] = (hashlib.sha256(labels.read_bytes()).hexdigest()
                                      if labels is not None else None)
    m.calibration["learned_sha256"] = (hashlib.sha256(learned_text(examples).encode()).hexdigest()
                                       if examples else None)
    m.calibration["learned_examples"] = len(examples)
    save_learned(learned_file(settings), examples)
    built.save(settings.index_dir)
