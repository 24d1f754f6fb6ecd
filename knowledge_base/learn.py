"""Learning, safely: new labelled queries become examples only if held-out quality is not worse.

A run compares two indexes built the same way (``cross_fit.build_with_labels``: labels as
example questions, thresholds calibrated on cross-fitted scores) on queries *neither* was built
or calibrated on:

* **before**: the FAQ + the fitting share of what it already knew (its own labelled queries
  and the examples learned so far);
* **after**: the same + the fitting share of the new labels.

Held out of both (a fixed one in ``HOLD_OUT`` of each set, chosen by a hash of the text, so a
query is held out in every run): the held-out share of what the FAQ already knew plus its test
queries (group ``known``), and the held-out share of the new labels (group ``new``). The run is
**kept** when, in each group, the correct answers are not fewer and the wrong answers not more,
beyond a noise allowance of one query in ``NOISE_PER`` (rounded down: none on a small set).
Kept: the index served from then on is rebuilt with *every* label (held-out ones too). Rolled
back: nothing is written, the old index keeps serving.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from knowledge_base.built_index import BuiltIndex
from knowledge_base.catalog import Catalog
from knowledge_base.cross_fit import build_with_labels
from knowledge_base.day_one import DayOne
from knowledge_base.decision import Thresholds, decide_action
from knowledge_base.embedder import Embedder
from knowledge_base.evaluation import ScoredQuery, ranked
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.learned import Learned
from knowledge_base.rows import TextRecipe

__all__ = ["HOLD_OUT", "NOISE_PER", "Quality", "Run", "held_out", "learn", "new_labels", "quality",
           "verdict"]

HOLD_OUT = 5  # one query in five is held out
NOISE_PER = 50  # one query in fifty may change either way without counting as worse


@dataclass(frozen=True)
class Quality:
    """What the bot does with a set of queries (counts)."""

    n: int = 0
    in_scope: int = 0
    correct: int = 0  # answered with the expected entry
    wrong: int = 0  # answered with another entry, or answered a query no entry covers
    clarify: int = 0
    handoff: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def quality(scored: Sequence[ScoredQuery], t: Thresholds) -> Quality:
    counts = dict.fromkeys(("correct", "wrong", "clarify", "handoff"), 0)
    for s in scored:
        ranking = ranked(s.hits, t.full_weight, t.lexical_weight, t.sentence_weight)
        action, _, _ = decide_action([r[1] for r in ranking], t)
        if action == "answer":
            counts["correct" if ranking[0][0] == s.query.expected else "wrong"] += 1
        else:
            counts[action] += 1
    inside = sum(s.query.expected is not None for s in scored)
    return Quality(len(scored), inside, **counts)


def verdict(before: Quality, after: Quality) -> str | None:
    """None when ``after`` is not worse than ``before``; else why it is."""
    noise = after.n // NOISE_PER
    if after.correct < before.correct - noise:
        return f"correct answers fell from {before.correct} to {after.correct} of {after.n}"
    if after.wrong > before.wrong + noise:
        return f"wrong answers rose from {before.wrong} to {after.wrong} of {after.n}"
    return None


def held_out(q: LabelledQuery) -> bool:
    """Whether a query is held out (independent of cross_fit's folds: another hash input)."""
    return zlib.crc32(f"held-out\x00{q.lang}\x00{q.text}".encode()) % HOLD_OUT == 0


@dataclass
class Run:
    """What a learning run decided, and on what numbers."""

    kept: bool
    reason: str
    used: list[Learned]  # the new labels this run judged
    before: dict[str, dict[str, int]] = field(default_factory=dict)
    after: dict[str, dict[str, int]] = field(default_factory=dict)
    held_out: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    index: BuiltIndex | None = None  # kept: the index to serve (FAQ + every label)

    def summary(self) -> dict[str, object]:
        return {"kept": self.kept, "reason": self.reason, "labels": len(self.used),
                "held_out": self.held_out, "before": self.before, "after": self.after,
                "seconds": round(self.seconds, 1)}


def new_labels(new: Sequence[Learned], known: Sequence[LabelledQuery]) -> list[Learned]:
    """``new`` without the queries already known (same text and language), one per query."""
    seen = {(" ".join(q.text.split()).casefold(), q.lang) for q in known}
    out = []
    for e in new:
        key = (" ".join(e.query.text.split()).casefold(), e.query.lang)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _build(catalog: Catalog, queries: Sequence[LabelledQuery], embedder: Embedder,
           recipe: TextRecipe, hnsw: int, max_wrong: float, threads: int,
           reuse: BuiltIndex | None, defaults: DayOne | None) -> BuiltIndex:
    if queries:
        built, _ = build_with_labels(catalog, queries, embedder, recipe, hnsw, max_wrong,
                                     "learning run", threads, reuse, defaults)
        built.manifest.kb_hash = catalog.content_hash
        return built
    built = BuiltIndex.build(catalog, embedder, recipe, hnsw, threads, reuse)
    built.calibrate([], max_wrong, "none", defaults=defaults)
    return built


def learn(
    catalog: Catalog,
    embedder: Embedder,
    recipe: TextRecipe,
    *,
    known: Sequence[LabelledQuery],
    test: Sequence[LabelledQuery],
    new: Sequence[Learned],
    hnsw_threshold: int = 50_000,
    max_wrong_rate: float = 0.03,
    threads: int = 2,
    reuse: BuiltIndex | None = None,
    defaults: DayOne | None = None,
) -> Run:
    """Judge ``new`` labels against what the FAQ already knows (``known``: its own labelled
    queries and the examples learned so far) on held-out queries and ``test`` (never fitted)."""
    started = time.perf_counter()
    new = new_labels(new, [*known, *test])
    if not new:
        return Run(False, "no new labels", [], seconds=time.perf_counter() - started)
    fresh = [e.query for e in new]
    known_fit = [q for q in known if not held_out(q)]
    groups = {"known": [*(q for q in known if held_out(q)), *test],
              "new": [q for q in fresh if held_out(q)]}
    new_fit = [q for q in fresh if not held_out(q)]
    args = (embedder, recipe, hnsw_threshold, max_wrong_rate, threads)
    before_index = _build(catalog, known_fit, *args, reuse, defaults)
    after_index = _build(catalog, [*known_fit, *new_fit], *args, before_index, defaults)
    run = Run(True, "", list(new), held_out={k: len(v) for k, v in groups.items()})
    worse = []
    for name, queries in groups.items():
        if not queries:
            continue
        b = _quality(before_index, queries)
        a = _quality(after_index, queries)
        run.before[name], run.after[name] = b.as_dict(), a.as_dict()
        why = verdict(b, a)
        if why:
            worse.append(f"{name}: {why}")
    if not any(groups.values()):
        run.kept, run.reason = False, "nothing held out to judge the labels on"
    elif worse:
        run.kept, run.reason = False, "held-out quality worse: " + "; ".join(worse)
    else:
        run.reason = "held-out quality not worse"
        run.index = _build(catalog, [*known, *fresh], *args, after_index, defaults)
    run.seconds = time.perf_counter() - started
    return run


def _quality(index: BuiltIndex, queries: Sequence[LabelledQuery]) -> Quality:
    t = index.manifest.calibrated
    assert t is not None
    return quality(index.score(queries), t)
