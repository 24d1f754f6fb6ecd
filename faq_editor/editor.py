"""The hub's handle on the knowledge base: checks, "try it" and publishing, reusing the KB's own code.

The hub opens the same FAQ (``KB_PATH``) and index directory (``KB_INDEX_DIR``, default ``DATA_DIR/kb``)
as the action server, lazily and only once that index is built (else 503 ``kb_unavailable``), with the
same embedder wrapped in a vector cache on disk (``<index dir>-editor-cache``) so an unchanged text is
embedded once. One lock serialises everything that embeds (two shared cores): checks, tries, publishing.

Publishing one change (``publish``): the new entry set is built in memory and indexed with the KB's build
code (``build_index``: unchanged rows reuse their vectors; the labelled queries and calibration as on any
rebuild), the index is saved, *then* the entry files are written (atomically) and the hub's KB reloads.
The action server's live reload (actions/knowledge.py) then finds the files changed and a fresh index for
them on disk: it loads it, embeds nothing, restarts nothing. A file that cannot be written puts back the
files already written.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from faq_editor import checks
from faq_editor.entry_writer import EntryFields, NotEditable, file_for_new, remove_entry, write_entry
from knowledge_base import Decision, Embedder, Entry, KBSettings, KnowledgeBase
from knowledge_base.built_index import BuiltIndex
from knowledge_base.catalog import Catalog
from knowledge_base.cross_fit import with_examples
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import make_embedder
from knowledge_base.knowledge_base import build_index, labels_file, recipe_from
from knowledge_base.labelled_queries import load_queries
from knowledge_base.learned import Learned, learned_file, save_learned

__all__ = ["Change", "FaqEditor", "Published", "to_entry", "to_fields"]

log = logging.getLogger(__name__)

#: see ``FaqEditor.close_threshold`` and docs/faq_editor.md ("Too close") for the measurements behind it
CLOSE_PERCENTILE = 90


@dataclass(frozen=True)
class Change:
    """Remove version ``remove`` (id, lang) and/or put ``put``: a create, an edit, a move or a delete."""

    remove: tuple[str, str] | None
    put: EntryFields | None


@dataclass(frozen=True)
class Published:
    files: list[str]
    n_entries: int
    build_seconds: float


def to_fields(entry: Entry) -> EntryFields:
    return EntryFields(
        entry.id,
        entry.lang,
        entry.question,
        entry.answer,
        entry.alt_questions,
        entry.category,
        entry.url,
        entry.updated.isoformat() if entry.updated else None,
    )


def to_entry(fields: EntryFields, source: str = "") -> Entry:
    """As the KB's loader would read it back (stripped texts, a parsed date)."""
    return Entry(
        id=fields.id.strip(),
        lang=fields.lang,
        question=fields.question.strip(),
        answer=fields.answer.strip(),
        alt_questions=tuple(a.strip() for a in fields.alt_questions if a.strip()),
        category=fields.category,
        url=fields.url.strip() if fields.url else None,
        updated=dt.date.fromisoformat(fields.updated) if fields.updated else None,
        source=source,
    )


def source_file(entry: Entry) -> Path:
    return Path(entry.source.rpartition(":")[0])


class FaqEditor:
    def __init__(self, settings: KBSettings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or KBSettings()
        self._embedder = embedder
        self._kb: KnowledgeBase | None = None
        self._lock = threading.RLock()
        self._tries: OrderedDict[str, KnowledgeBase] = OrderedDict()
        self._close: tuple[str, float] | None = None

    # --------------------------------------------------------------- the KB
    @property
    def kb(self) -> KnowledgeBase:
        """The FAQ as published (files edited by hand are picked up here too)."""
        with self._lock:
            if self._kb is None:
                inner = self._embedder or make_embedder(self.settings)
                if not isinstance(inner, CachedEmbedder):
                    cache = self.settings.index_dir.with_name(self.settings.index_dir.name + "-editor-cache")
                    inner = CachedEmbedder(inner, cache)
                # the hub never builds a missing index from scratch (minutes of CPU inside a web request):
                # `make run` / `python -m knowledge_base build` do; until then the API answers 503
                kb = KnowledgeBase.open(self.settings.model_copy(update={"auto_rebuild": False}), inner)
                kb.settings = self.settings  # reloads after an edit rebuild, reusing unchanged vectors
                self._kb = kb
            elif self._kb.reload_if_changed():
                self._tries.clear()
            return self._kb

    def catalog(self) -> Catalog:
        return self.kb.index.catalog

    def entry(self, entry_id: str, lang: str) -> Entry | None:
        versions = self.catalog().versions(entry_id)
        return versions.get(lang)

    # --------------------------------------------------------------- checks
    def check(self, draft: EntryFields, original: tuple[str, str] | None) -> checks.Checks:
        with self._lock:
            kb = self.kb
            built = kb.index
            result = checks.Checks(
                checks.duplicates_and_fields(draft, original, built.catalog.entries, self.settings.languages)
            )
            # only what the edit adds or rewrites: the entry's unchanged phrasings were published already
            was = built.catalog.versions(original[0]).get(original[1]) if original else None
            kept = {checks.same_text(q) for q in was.questions} if was is not None else set()
            said = [
                (name, text) for name, text in checks.phrasings(draft) if checks.same_text(text) not in kept
            ]
            if not said or draft.lang not in self.settings.languages:
                return result
            t = kb.thresholds
            limit = self.close_threshold(kb)
            texts = [text for _, text in said]
            vectors = built.retriever.embed(texts, [draft.lang] * len(texts))
            hits = built.retriever.search(
                vectors,
                t.full_weight,
                k=1,
                exclude=[draft.id] * len(texts),
                texts=[(text, draft.lang) for text in texts],
                lexical_weight=t.lexical_weight,
                sentence_weight=t.sentence_weight,
            )
            for (name, text), found in zip(said, hits, strict=True):
                if not found or found[0].score < limit:
                    continue
                other = built.catalog.get(found[0].entry_id, draft.lang)
                if other is not None:
                    result.warnings.append(
                        checks.Close(
                            text,
                            name,
                            other.id,
                            other.lang,
                            other.question,
                            round(float(found[0].score), 4),
                            round(limit, 4),
                        )
                    )
            self._save_cache(kb)
            return result

    def close_threshold(self, kb: KnowledgeBase) -> float:
        """The score above which a phrasing is "too close" to another entry, from this FAQ's own data: the
        ``CLOSE_PERCENTILE``th percentile of how close its existing entries are to each other (each main
        question asked with its own entry hidden, as the day-one calibration does), and never below the
        answer threshold (below it the bot would not answer the other entry anyway)."""
        built = kb.index
        key = built.catalog.content_hash
        if self._close is None or self._close[0] != key:
            t = kb.thresholds
            entries = [e for e in built.catalog.entries if e.lang in self.settings.languages]
            if len(entries) < 2:
                return float("inf")
            vectors = built.retriever.embed([e.question for e in entries], [e.lang for e in entries])
            hits = built.retriever.search(
                vectors,
                t.full_weight,
                k=1,
                exclude=[e.id for e in entries],
                texts=[(e.question, e.lang) for e in entries],
                lexical_weight=t.lexical_weight,
                sentence_weight=t.sentence_weight,
            )
            nearest = [h[0].score for h in hits if h]
            self._close = (key, float(np.percentile(nearest, CLOSE_PERCENTILE)) if nearest else float("inf"))
        return max(self._close[1], kb.thresholds.answer)

    # --------------------------------------------------------------- try it
    def try_it(self, text: str, lang: str, change: Change | None) -> tuple[Decision, Decision | None]:
        """The decision now, and with ``change`` applied to an in-memory copy (nothing published)."""
        with self._lock:
            kb = self.kb
            before = kb.ask(text, lang)
            if change is None:
                return before, None
            after = self._draft_kb(kb, change).ask(text, lang)
            self._save_cache(kb)
            return before, after

    def _draft_kb(self, kb: KnowledgeBase, change: Change) -> KnowledgeBase:
        catalog = Catalog.from_entries(self._applied(kb.index.catalog, change))
        key = catalog.content_hash
        if key in self._tries:
            self._tries.move_to_end(key)
            return self._tries[key]
        labels = labels_file(self.settings)
        if labels is not None:
            catalog = with_examples(catalog, load_queries(labels, set(catalog.ids)))
        built = BuiltIndex.build(
            catalog,
            kb.embedder,
            recipe_from(self.settings),
            self.settings.hnsw_threshold,
            self.settings.threads,
            kb.index,
        )
        # the operating point as published: publishing recalibrates, which may move it a little
        built.manifest.thresholds = kb.index.manifest.thresholds
        draft = KnowledgeBase(self.settings, kb.embedder, built)
        self._tries[key] = draft
        while len(self._tries) > 4:
            self._tries.popitem(last=False)
        return draft

    @staticmethod
    def _applied(catalog: Catalog, change: Change) -> list[Entry]:
        drop = {change.remove} if change.remove else set()
        if change.put is not None:
            drop.add((change.put.id, change.put.lang))
        entries = [replace(e, examples=()) for e in catalog.entries if (e.id, e.lang) not in drop]
        if change.put is not None:
            entries.append(to_entry(change.put))
        return entries

    # ------------------------------------------------------------- publish
    def target_files(self, change: Change) -> tuple[Path | None, Path | None]:
        """(file the removed version is in, file the new version goes to); ``NotEditable`` if not YAML."""
        catalog = self.catalog()
        old = catalog.versions(change.remove[0]).get(change.remove[1]) if change.remove else None
        old_file = source_file(old) if old is not None else None
        new_file = None
        if change.put is not None:
            if old_file is not None and change.remove is not None and change.remove[1] == change.put.lang:
                new_file = old_file
            else:
                same = catalog.versions(change.put.id).get(change.put.lang)
                new_file = (
                    source_file(same) if same is not None else file_for_new(self.settings.path, change.put)
                )
        for path in (old_file, new_file):
            if path is not None and path.suffix.lower() not in (".yaml", ".yml"):
                raise NotEditable(
                    f"{path.name} is not a YAML file: edit that entry where it was made, "
                    "or move it to a .yaml file"
                )
        return old_file, new_file

    def publish(self, change: Change) -> Published:
        with self._lock:
            kb = self.kb
            current = kb.index
            old_file, new_file = self.target_files(change)
            catalog = Catalog.from_entries(self._applied(current.catalog, change))
            built = build_index(catalog, kb.embedder, self.settings, labels_file(self.settings), current)
            built.save(self.settings.index_dir)
            touched = [p for p in {old_file, new_file} if p is not None]
            saved = {p: (p.read_bytes() if p.exists() else None) for p in touched}
            try:
                if change.remove is not None and old_file is not None and old_file != new_file:
                    remove_entry(old_file, *change.remove)
                if change.put is not None and new_file is not None:
                    write_entry(new_file, change.put, change.remove if old_file == new_file else None)
                elif change.remove is not None and old_file is not None and old_file == new_file:
                    remove_entry(old_file, *change.remove)
            except BaseException:
                for path, data in saved.items():
                    if data is None:
                        path.unlink(missing_ok=True)
                    else:
                        path.write_bytes(data)
                raise
            self._tries.clear()
            kb.reload_if_changed()
            self._save_cache(kb)
            log.info("FAQ published: %s", change)
            manifest = built.manifest
            return Published([str(p) for p in touched], manifest.n_entries, manifest.build_seconds)

    def publish_learned(self, examples: list[Learned]) -> float:
        """Serve the FAQ with these learned examples (an admin removed one): the index is built in memory
        first, then the learned file and the index are written (manifest last, as a learning run does).
        Returns the seconds it took; nothing is written if the build fails."""
        started = time.perf_counter()
        with self._lock:
            kb = self.kb
            current = kb.index
            catalog = Catalog.from_entries(self._applied(current.catalog, Change(None, None)))
            ids = set(catalog.ids)
            known = [e for e in examples if e.query.expected is None or e.query.expected in ids]
            labels = labels_file(self.settings)
            built = build_index(catalog, kb.embedder, self.settings, labels, current, known)
            save_learned(learned_file(self.settings), known)
            built.save(self.settings.index_dir)
            self._tries.clear()
            kb.reload_if_changed()
            self._save_cache(kb)
            return time.perf_counter() - started

    @staticmethod
    def _save_cache(kb: KnowledgeBase) -> None:
        if isinstance(kb.embedder, CachedEmbedder):
            try:
                kb.embedder.save()
            except OSError:
                log.warning("could not save the FAQ editor's vector cache", exc_info=True)
