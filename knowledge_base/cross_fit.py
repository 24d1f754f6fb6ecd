"""Labelled queries as extra example questions, calibrated without fooling itself.

A labelled query that is also indexed as an example of its entry finds itself at similarity
~1.0: calibrating on it would promise far more than new customers get (adding 34 real queries
and recalibrating on them once dropped Spanish top-1 on other queries from 0.82 to 0.66). So
the queries are split into folds; each fold is scored against an index holding the examples of
the *other* folds only, and calibration sees those cross-fitted scores. The index that serves
customers holds every labelled example. The day-one reference is taken on the FAQ as written,
so labels given for one entry do not move any other entry's thresholds.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence

from knowledge_base.built_index import BuiltIndex
from knowledge_base.calibration import Calibration
from knowledge_base.catalog import Catalog
from knowledge_base.day_one import DayOne
from knowledge_base.embedder import Embedder
from knowledge_base.entry import Entry
from knowledge_base.evaluation import ScoredQuery
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.rows import TextRecipe

__all__ = ["FOLDS", "build_with_labels", "cross_fitted_scores", "with_examples"]

FOLDS = 5


def with_examples(catalog: Catalog, queries: Sequence[LabelledQuery]) -> Catalog:
    """``catalog`` with each in-scope query added to its entry's examples (the version in the
    query's language when there is one, else the entry's first). Examples are example rows
    only: appended to the full-entry passage as alternative questions, a few informal labels
    moved that passage's embedding and lowered held-out top-1 (benchmarks/kb_labels.py)."""
    extra: dict[tuple[str, str], list[str]] = {}
    langs: dict[str, list[str]] = {}
    for e in catalog.entries:
        langs.setdefault(e.id, []).append(e.lang)
    for q in queries:
        if q.expected is None or q.expected not in langs:
            continue
        lang = q.lang if q.lang in langs[q.expected] else langs[q.expected][0]
        extra.setdefault((q.expected, lang), []).append(q.text)
    if not extra:
        return catalog
    entries: list[Entry] = []
    for e in catalog.entries:
        added = [t for t in extra.get((e.id, e.lang), []) if t not in e.questions]
        entries.append(dataclasses.replace(e, examples=(*e.examples, *added)) if added else e)
    return Catalog(tuple(entries), f"{catalog.content_hash}+{len(queries)}", catalog.stamp)


def _fold(q: LabelledQuery) -> int:
    return zlib.crc32(q.text.encode("utf-8")) % FOLDS


def cross_fitted_scores(
    catalog: Catalog,
    queries: Sequence[LabelledQuery],
    embedder: Embedder,
    recipe: TextRecipe,
    hnsw_threshold: int,
    threads: int = 2,
    reuse: BuiltIndex | None = None,
) -> tuple[list[ScoredQuery], BuiltIndex | None]:
    """Each query scored against the FAQ plus the *other* folds' labelled examples (and the
    last fold's index, whose vectors the next build can reuse)."""
    scored: list[ScoredQuery] = []
    cache = reuse
    for k in range(FOLDS):
        held = [q for q in queries if _fold(q) == k]
        if not held:
            continue
        rest = [q for q in queries if _fold(q) != k]
        fold_index = BuiltIndex.build(with_examples(catalog, rest), embedder, recipe,
                                      hnsw_threshold, threads, cache)
        scored += fold_index.score(held)
        cache = fold_index
    return scored, cache


def build_with_labels(
    catalog: Catalog,
    queries: Sequence[LabelledQuery],
    embedder: Embedder,
    recipe: TextRecipe,
    hnsw_threshold: int,
    max_wrong_rate: float,
    source: str,
    threads: int = 2,
    reuse: BuiltIndex | None = None,
    defaults: DayOne | None = None,
) -> tuple[BuiltIndex, Calibration]:
    """The serving index (FAQ + every labelled example), calibrated on cross-fitted scores."""
    base = BuiltIndex.build(catalog, embedder, recipe, hnsw_threshold, threads, reuse)
    reference = base.reference()
    scored, cache = cross_fitted_scores(catalog, queries, embedder, recipe, hnsw_threshold,
                                        threads, base)
    served = BuiltIndex.build(with_examples(catalog, queries), embedder, recipe,
                              hnsw_threshold, threads, cache)
    served.catalog = catalog  # customers are answered from the FAQ as written
    result = served.calibrate(queries, max_wrong_rate, source, scored=scored,
                              reference=reference, defaults=defaults)
    served.manifest.calibration["labels_as_examples"] = True
    return served, result
