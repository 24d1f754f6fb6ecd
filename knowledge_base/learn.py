"""Learning, safely: new labelled queries become examples only if held-out quality is not worse.

A run compares two indexes built the same way (``cross_fit.build_with_labels``: labels as
example questions, thresholds calibrated on cross-fitted scores) on queries *neither* was built
or calibrated on:

* **before**: the FAQ + the fitting share of what it already knew (its own labelled queries
  and the examples learned so far);
* **after**: the same + the fitting share of the new labels.

Held out of both (a fixed one in ``HOLD_OUT`` of each set, chosen by a hash of the text, so a
query is held out in every run): the held-out share of what the FAQ already knew plus its test
queries (group ``known``), and the held-out share of the new labels (group ``new``).

"Not worse" is judged query by query (a paired comparison: the same held-out queries, before and
after). An outcome ranks correct > not answered (clarify, handoff) > wrong; a query that moved up
is a **gain**, one that moved down a **harm**. The run is **rolled back** when, in a group,

* **harms outweigh gains beyond chance**: a one-sided exact sign test at ``ALPHA``. If learning
  did no harm, a query that changed would be as likely to change either way; the lead of harms
  over gains must be one that fair coins give less than ``ALPHA`` of the time (at least 4
  queries worse and none better, 7 against 2, 10 against 4, ...); or
* **wrong answers rise beyond chance**: the queries newly answered wrong, less those no longer
  answered wrong, are more than one and more than a refit's noise explains, a query turning wrong
  by chance at most one time in ``NOISE_PER`` (one-sided binomial test at ``ALPHA``: 2 in up to
  25 queries, 3 in 30-50, 5 in 100). Stricter than the sign test: a wrong answer costs more
  than a missed one.

So one query never decides, and a batch that gains many right answers at the cost of one wrong
one is kept. Kept: the index served from then on is rebuilt with *every* label (held-out ones
too). Rolled back: nothing is written, the old index keeps serving.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from math import comb

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

__all__ = ["ALPHA", "HOLD_OUT", "NOISE_PER", "Change", "Quality", "Run", "chance", "compare",
           "held_out", "learn", "new_labels", "noise", "outcomes", "quality", "tally", "verdict"]

HOLD_OUT = 5  # one query in five is held out
#: One-sided level of the gate's sign tests. Twice the usual 0.05: a harm let through is served to
#: every customer and becomes the next run's baseline, a gain rolled back only waits for its labels
#: to be given again; and at 0.05 a group of 20 would let 8 harms against 2 gains through.
ALPHA = 0.10
NOISE_PER = 50  # a refit alone turns a query wrong at most one time in fifty
RANK = {"wrong": 0, "clarify": 1, "handoff": 1, "correct": 2}  # what an outcome is worth


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


def outcomes(scored: Sequence[ScoredQuery], t: Thresholds) -> list[str]:
    """Per query: ``correct``, ``wrong``, ``clarify`` or ``handoff``."""
    out = []
    for s in scored:
        ranking = ranked(s.hits, t.full_weight, t.lexical_weight, t.sentence_weight)
        action, _, _ = decide_action([r[1] for r in ranking], t)
        if action == "answer":
            out.append("correct" if ranking[0][0] == s.query.expected else "wrong")
        else:
            out.append(action)
    return out


def tally(outcome: Sequence[str], in_scope: int) -> Quality:
    return Quality(len(outcome), in_scope, *(sum(o == k for o in outcome)
                                             for k in ("correct", "wrong", "clarify", "handoff")))


def quality(scored: Sequence[ScoredQuery], t: Thresholds) -> Quality:
    return tally(outcomes(scored, t), sum(s.query.expected is not None for s in scored))


@dataclass(frozen=True)
class Change:
    """Query by query, how the same queries fared after a run compared with before it."""

    gains: int = 0  # moved up: wrong -> not answered -> correct
    harms: int = 0  # moved down
    new_wrong: int = 0  # answered wrong now, not before
    fixed_wrong: int = 0  # answered wrong before, not now

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def compare(before: Sequence[str], after: Sequence[str]) -> Change:
    assert len(before) == len(after)
    pairs = list(zip(before, after, strict=True))
    return Change(sum(RANK[a] > RANK[b] for b, a in pairs), sum(RANK[a] < RANK[b] for b, a in pairs),
                  sum(a == "wrong" != b for b, a in pairs), sum(b == "wrong" != a for b, a in pairs))


def chance(k: int, n: int) -> float:
    """How often at least ``k`` of ``n`` fair coins land the same given way (one-sided sign test)."""
    return sum(comb(n, i) for i in range(k, n + 1)) / 2**n


def noise(k: int, n: int) -> float:
    """How often at least ``k`` of ``n`` queries turn wrong when each does one time in ``NOISE_PER``."""
    r = 1 / NOISE_PER
    return max(0.0, 1.0 - sum(comb(n, i) * r**i * (1 - r) ** (n - i) for i in range(k)))


def verdict(change: Change, n: int) -> str | None:
    """None when the change on ``n`` held-out queries is not worse beyond chance; else why."""
    why = []
    h, g = change.harms, change.gains
    if h > g and (p := chance(h, h + g)) < ALPHA:
        why.append(f"{h} queries worse, {g} better (sign test p = {p:.3f})")
    rise = change.new_wrong - change.fixed_wrong
    if rise > 1 and (p := noise(rise, n)) < ALPHA:
        why.append(f"{change.new_wrong} newly answered wrong, {change.fixed_wrong} no longer "
                   f"(p = {p:.3f} at one in {NOISE_PER})")
    return "; ".join(why) or None


def held_out(q: LabelledQuery) -> bool:
    """Whether a query is held out (independent of cross_fit's folds: another hash input)."""
    return zlib.crc32(f"held-out\x00{q.lang}\x00{q.text}".encode()) % HOLD_OUT == 0


@dataclass
class Run:
    """What a learning run decided, and on what numbers."""

    kept: bool
    reason: str
    used: list[Learned]  # the new labels this run judged
    before: dict[str, dict[str, int]] = field(default_factory=dict)  # per group: Quality
    after: dict[str, dict[str, int]] = field(default_factory=dict)  # Quality + Change (paired)
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
        b, a = _outcomes(before_index, queries), _outcomes(after_index, queries)
        inside = sum(q.expected is not None for q in queries)
        change = compare(b, a)
        run.before[name] = tally(b, inside).as_dict()
        run.after[name] = tally(a, inside).as_dict() | change.as_dict()  # + gains, harms, ...
        why = verdict(change, len(queries))
        if why:
            qb, qa = run.before[name], run.after[name]
            worse.append(f"{name} (correct {qb['correct']} -> {qa['correct']}, wrong {qb['wrong']} "
                         f"-> {qa['wrong']} of {qa['n']}): {why}")
    if not any(groups.values()):
        run.kept, run.reason = False, "nothing held out to judge the labels on"
    elif worse:
        run.kept, run.reason = False, "held-out quality worse: " + "; ".join(worse)
    else:
        run.reason = "held-out quality not worse"
        run.index = _build(catalog, [*known, *fresh], *args, after_index, defaults)
    run.seconds = time.perf_counter() - started
    return run


def _outcomes(index: BuiltIndex, queries: Sequence[LabelledQuery]) -> list[str]:
    t = index.manifest.calibrated
    assert t is not None
    return outcomes(index.score(queries), t)
