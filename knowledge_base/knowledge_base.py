"""The knowledge base the action server talks to: open, ask, get, reload_if_changed."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from knowledge_base.built_index import MANIFEST_FILE, BuiltIndex, IndexStaleError
from knowledge_base.catalog import Catalog, files_stamp
from knowledge_base.cross_fit import build_with_labels
from knowledge_base.decision import Candidate, Decision, Thresholds, decide_action
from knowledge_base.embedder import Embedder, make_embedder
from knowledge_base.entry import Entry
from knowledge_base.labelled_queries import LabelledQuery, load_queries
from knowledge_base.learned import Learned, learned_file, learned_sha256, learned_text, load_learned
from knowledge_base.rows import TextRecipe
from knowledge_base.settings import KBSettings

__all__ = ["KnowledgeBase"]

log = logging.getLogger(__name__)


def recipe_from(settings: KBSettings) -> TextRecipe:
    return TextRecipe(max_alts_in_passage=settings.max_alts_in_passage)


class KnowledgeBase:
    """Thread-safe: ``ask`` may run while ``reload_if_changed`` swaps in a rebuilt index."""

    def __init__(self, settings: KBSettings, embedder: Embedder, built: BuiltIndex) -> None:
        self.settings = settings
        self.embedder = embedder
        self._built = built
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._index_stamp = index_stamp(settings)

    # ------------------------------------------------------------------ open
    @classmethod
    def open(cls, settings: KBSettings | None = None, embedder: Embedder | None = None
             ) -> KnowledgeBase:
        """Load the index in ``settings.index_dir``; build it if missing, rebuild it if stale
        (or raise ``IndexStaleError`` when ``KB_AUTO_REBUILD=false``)."""
        settings = settings or KBSettings()
        embedder = embedder or make_embedder(settings)
        catalog = Catalog.load(settings.path, settings.languages)
        return cls(settings, embedder, _fresh_index(settings, embedder, catalog, None))

    @property
    def index(self) -> BuiltIndex:
        with self._lock:
            return self._built

    @property
    def thresholds(self) -> Thresholds:
        t = self.index.manifest.calibrated
        if t is None:
            raise RuntimeError("the index has no calibrated thresholds; run "
                               "`python -m knowledge_base calibrate`")
        return t

    # ------------------------------------------------------------------- ask
    def ask(self, text: str, lang: str = "es") -> Decision:
        """Decide how to respond to one customer message."""
        built = self.index
        t = built.manifest.calibrated
        if t is None:
            raise RuntimeError("the index has no calibrated thresholds")
        vectors = built.retriever.embed([text], [lang])
        hits = built.retriever.search(vectors, t.full_weight, k=self.settings.top_k,
                                      texts=[(text, lang)], lexical_weight=t.lexical_weight,
                                      sentence_weight=t.sentence_weight)[0]
        action, offered, reason = decide_action([h.score for h in hits], t)
        candidates = []
        for h in hits[: max(offered, 1) if action != "handoff" else len(hits)]:
            entry = built.catalog.get(h.entry_id, lang)
            if entry is not None:
                candidates.append(Candidate(entry.id, entry.question, entry.answer,
                                            round(h.score, 4), entry.lang, entry.url))
        answer = built.catalog.get(hits[0].entry_id, lang) if action == "answer" else None
        return Decision(action, reason, answer, candidates)

    def get(self, entry_id: str, lang: str = "es") -> Entry | None:
        """The entry in ``lang`` when it exists there, else in another language; None if unknown."""
        return self.index.catalog.get(entry_id, lang)

    # ---------------------------------------------------------------- reload
    def reload_if_changed(self) -> bool:
        """Swap in a new index when KB files changed (rebuilt, reusing unchanged vectors) or
        another process saved a new index (a learning run, the FAQ editor): a cheap mtime check
        first.

        Returns True when a new index was swapped in. A KB that no longer validates keeps the
        current index serving and logs the problems.
        """
        if not self._changed(self.index):
            return False
        with self._reload_lock:
            current = self.index
            if not self._changed(current):
                return False
            stamp = index_stamp(self.settings)
            catalog = Catalog.load(self.settings.path, self.settings.languages)
            if catalog.content_hash == current.catalog.content_hash and stamp == self._index_stamp:
                with self._lock:
                    self._built = BuiltIndex(catalog, current.retriever, current.manifest)
                return False
            built = _fresh_index(self.settings, self.embedder, catalog, current)
            with self._lock:
                self._built = built
                self._index_stamp = index_stamp(self.settings)
            log.info("knowledge base reloaded: %d entries", built.manifest.n_entries)
            return True

    def _changed(self, current: BuiltIndex) -> bool:
        return (files_stamp(self.settings.path) != current.catalog.stamp
                or index_stamp(self.settings) != self._index_stamp)


def index_stamp(settings: KBSettings) -> int | None:
    """When the index on disk was last saved (its manifest is written last), None: no index."""
    try:
        return (settings.index_dir / MANIFEST_FILE).stat().st_mtime_ns
    except OSError:
        return None


def _fresh_index(
    settings: KBSettings, embedder: Embedder, catalog: Catalog, reuse: BuiltIndex | None
) -> BuiltIndex:
    recipe = recipe_from(settings)
    labels = labels_file(settings)
    stored, reasons = BuiltIndex.load(settings.index_dir, catalog, embedder, recipe)
    if stored is not None and not reasons:
        reasons += _labels_changed(stored, labels, learned_file(settings))
    if stored is not None and not reasons and stored.manifest.calibrated is not None:
        return stored
    if stored is not None and reasons and not settings.auto_rebuild:
        raise IndexStaleError(
            f"the index in {settings.index_dir} is stale: {'; '.join(reasons)}. Rebuild it with "
            "`python -m knowledge_base build` or set KB_AUTO_REBUILD=true."
        )
    if stored is None and not settings.auto_rebuild:
        raise IndexStaleError(f"no index in {settings.index_dir}; run "
                              "`python -m knowledge_base build` or set KB_AUTO_REBUILD=true.")
    log.info("building the knowledge base index: %s", "; ".join(reasons) or "uncalibrated")
    built = build_index(catalog, embedder, settings, labels, reuse or stored)
    built.save(settings.index_dir)
    return built


def labels_file(settings: KBSettings) -> Path | None:
    """The labelled queries this KB is calibrated with, if any."""
    path = settings.calibration_file()
    return path if path is not None and path.is_file() else None


def build_index(
    catalog: Catalog,
    embedder: Embedder,
    settings: KBSettings,
    labels: Path | None,
    reuse: BuiltIndex | None = None,
    learned: Sequence[Learned] | None = None,
) -> BuiltIndex:
    """Embed and calibrate: day-one defaults without labelled queries; with them, the labelled
    queries become examples of their entries and calibration uses cross-fitted scores.

    The labelled queries are the FAQ's own file (``labels``) plus the learned examples:
    ``learned`` when given (a learning run about to write them), else the learned file next
    to the index (``knowledge_base/learned.py``)."""
    recipe = recipe_from(settings)
    if learned is None:
        path = learned_file(settings)
        learned = load_learned(path, catalog.ids)
        learned_hash = learned_sha256(path)
    else:
        learned_hash = hashlib.sha256(learned_text(learned).encode()).hexdigest() if learned else None
    queries: list[LabelledQuery] = load_queries(labels, set(catalog.ids)) if labels else []
    queries += [e.query for e in learned]
    if not queries:
        built = BuiltIndex.build(catalog, embedder, recipe, settings.hnsw_threshold,
                                 settings.threads, reuse)
        built.calibrate([], settings.max_wrong_rate, "none")
    else:
        source = str(labels) if labels is not None else "learned examples"
        built, _ = build_with_labels(catalog, queries, embedder, recipe, settings.hnsw_threshold,
                                     settings.max_wrong_rate, source, settings.threads, reuse)
        built.manifest.kb_hash = catalog.content_hash
    built.manifest.calibration["labels_sha256"] = _sha256(labels) if labels is not None else None
    built.manifest.calibration["learned_sha256"] = learned_hash
    built.manifest.calibration["learned_examples"] = len(learned)
    return built


def _labels_changed(stored: BuiltIndex, labels: Path | None, learned: Path) -> list[str]:
    reasons = []
    recorded = stored.manifest.calibration.get("labels_sha256", "missing")
    if recorded != (_sha256(labels) if labels is not None else None):
        reasons.append(f"labelled queries changed ({labels or 'none'})")
    if stored.manifest.calibration.get("learned_sha256") != learned_sha256(learned):
        reasons.append(f"learned examples changed ({learned})")
    return reasons


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
