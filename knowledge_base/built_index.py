"""A built index on disk: FAISS vectors + row table + manifest, and how to (re)build it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge_base.accents import accent_map
from knowledge_base.calibration import Calibration, calibrate
from knowledge_base.catalog import Catalog
from knowledge_base.day_one import DayOne, reference_queries, weight_grid
from knowledge_base.embedder import Embedder
from knowledge_base.evaluation import ScoredQuery
from knowledge_base.hit_matrix import HitMatrix
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.lexical import LexicalIndex
from knowledge_base.manifest import Manifest
from knowledge_base.retriever import Retriever
from knowledge_base.rows import EXAMPLE, RowTable, TextRecipe
from knowledge_base.vector_index import VectorIndex

__all__ = ["BuiltIndex", "IndexStaleError"]

INDEX_FILE, ROWS_FILE, MANIFEST_FILE = "index.faiss", "rows.npz", "manifest.json"
LEXICAL_FILE = "lexical.npz"
#: candidates kept per labelled query so calibration can re-rank under any full/example mix
CALIBRATION_DEPTH = 20


class IndexStaleError(RuntimeError):
    """The index on disk does not match the KB or the model and rebuilding is disabled."""


class BuiltIndex:
    def __init__(self, catalog: Catalog, retriever: Retriever, manifest: Manifest) -> None:
        self.catalog = catalog
        self.retriever = retriever
        self.manifest = manifest

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        catalog: Catalog,
        embedder: Embedder,
        recipe: TextRecipe,
        hnsw_threshold: int,
        threads: int = 2,
        reuse: BuiltIndex | None = None,
    ) -> BuiltIndex:
        """Embed every row (reusing vectors of unchanged texts from ``reuse``) and index them."""
        started = time.perf_counter()
        table, texts = RowTable.layout(catalog, recipe)
        vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        cache = _vector_cache(reuse, embedder.model_id)
        todo = [i for i, d in enumerate(table.digest) if bytes(d) not in cache]
        for i, d in enumerate(table.digest):
            if bytes(d) in cache:
                vectors[i] = cache[bytes(d)]
        # small batches: a live reload shares the embedder with queries being answered
        as_query = table.kind == EXAMPLE if recipe.examples_as_queries else np.zeros(len(texts), bool)
        for lo in range(0, len(todo), 32):
            chunk = todo[lo : lo + 32]
            queries = [i for i in chunk if as_query[i]]
            docs = [i for i in chunk if not as_query[i]]
            if docs:
                vectors[docs] = embedder.embed_documents([texts[i] for i in docs])
            if queries:
                vectors[queries] = embedder.embed_queries([texts[i] for i in queries])
        index = VectorIndex.build(vectors, hnsw_threshold, threads)
        lexical = None
        if recipe.lexical:
            langs = [table.langs[int(i)] for i in table.lang]
            lexical = LexicalIndex.build(texts, langs, recipe.lexical_lemmas)
        manifest = Manifest(
            model_id=embedder.model_id,
            kb_hash=catalog.content_hash,
            recipe=recipe.as_dict(),
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 3),
            n_entries=len(table.ids),
            n_rows=len(table),
            index_kind=index.kind,
        )
        return cls(catalog, Retriever(embedder, index, table, recipe, lexical,
                                      _accents(catalog, recipe)), manifest)

    # ---------------------------------------------------------------- persist
    def save(self, directory: Path) -> None:
        """Write index, rows, then the manifest last (a crash leaves no fresh-looking index)."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST_FILE).unlink(missing_ok=True)
        tmp_index = directory / (INDEX_FILE + ".tmp")
        self.retriever.index.save(tmp_index)
        tmp_index.replace(directory / INDEX_FILE)
        tmp_rows = directory / (ROWS_FILE + ".tmp")
        self.retriever.table.save(tmp_rows)
        tmp_rows.replace(directory / ROWS_FILE)
        (directory / LEXICAL_FILE).unlink(missing_ok=True)
        if self.retriever.lexical is not None:
            tmp_lex = directory / (LEXICAL_FILE + ".tmp")
            self.retriever.lexical.save(tmp_lex)
            tmp_lex.replace(directory / LEXICAL_FILE)
        self.manifest.save(directory / MANIFEST_FILE)

    @classmethod
    def load(
        cls, directory: Path, catalog: Catalog, embedder: Embedder, recipe: TextRecipe
    ) -> tuple[BuiltIndex | None, list[str]]:
        """(index, []) when the stored index is fresh; (stale index or None, reasons) otherwise."""
        if not (directory / MANIFEST_FILE).is_file():
            return None, [f"no index in {directory}"]
        manifest = Manifest.load(directory / MANIFEST_FILE)
        index = VectorIndex.load(directory / INDEX_FILE)
        table = RowTable.load(directory / ROWS_FILE)
        lexical_path = directory / LEXICAL_FILE
        lexical = LexicalIndex.load(lexical_path) if lexical_path.is_file() else None
        built = cls(catalog, Retriever(embedder, index, table, recipe, lexical,
                                       _accents(catalog, recipe)), manifest)
        reasons = manifest.stale_reasons(embedder.model_id, catalog.content_hash,
                                         recipe.as_dict())
        if recipe.lexical and lexical is None and not reasons:
            reasons.append(f"{LEXICAL_FILE} is missing")
        return built, reasons

    # ------------------------------------------------------------ calibration
    def score(
        self, queries: Sequence[LabelledQuery], exclude: Sequence[str | None] | None = None
    ) -> list[ScoredQuery]:
        """Every query with enough candidates to re-rank under any threshold setting."""
        vectors = self.retriever.embed([q.text for q in queries], [q.lang for q in queries])
        hits = self.retriever.search(vectors, 0.5, k=CALIBRATION_DEPTH, exclude=exclude,
                                     texts=[(q.text, q.lang) for q in queries])
        return [ScoredQuery(q, h) for q, h in zip(queries, hits, strict=True)]

    def reference(self) -> HitMatrix:
        """Each entry's main question asked with its own entry hidden (``day_one.py``)."""
        queries, hidden = reference_queries(self.catalog)
        return HitMatrix.from_scored(self.score(queries, hidden))

    def calibrate(
        self,
        queries: Sequence[LabelledQuery],
        max_wrong_rate: float,
        source: str,
        scored: Sequence[ScoredQuery] | None = None,
        reference: HitMatrix | None = None,
        defaults: DayOne | None = None,
    ) -> Calibration:
        """Thresholds for this FAQ, stored in the manifest: the day-one defaults, moved by the
        labelled ``queries`` (or their cross-fitted ``scored`` hits) only on evidence."""
        if scored is None:
            scored = self.score(queries) if queries else []
        defaults = defaults or DayOne.load(self.retriever.embedder.model_id)
        result = calibrate(HitMatrix.from_scored(scored) if scored else None,
                           reference or self.reference(), defaults, max_wrong_rate,
                           weight_grid(self.retriever.recipe))
        self.manifest.thresholds = result.thresholds.as_dict()
        self.manifest.calibration = result.summary() | {
            "file": source,
            "calibrated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        return result


def _accents(catalog: Catalog, recipe: TextRecipe) -> dict[str, str]:
    if not recipe.restore_accents:
        return {}
    return accent_map(t for e in catalog.entries for t in (*e.questions, e.answer))


def _vector_cache(reuse: BuiltIndex | None, model_id: str) -> dict[bytes, np.ndarray]:
    if reuse is None or reuse.manifest.model_id != model_id:
        return {}
    table = reuse.retriever.table
    if len(table) == 0:
        return {}
    vectors = reuse.retriever.index.vectors(np.arange(len(table)))
    return {bytes(d): v for d, v in zip(table.digest, vectors, strict=True)}
