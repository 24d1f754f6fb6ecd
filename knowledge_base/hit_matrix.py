"""Scored candidates of many labelled queries as arrays, so an operating point is chosen fast.

``ScoredQuery.hits`` keeps each candidate's score parts (full row, nearest examples, lexical,
answer sentence); :class:`HitMatrix` holds them as ``queries x depth`` arrays and re-ranks
every query under any weights in one vectorised step (calibration tries hundreds of weight
and threshold combinations; re-ranking hit lists in Python made it take minutes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.evaluation import ScoredQuery

__all__ = ["HitMatrix", "Ranking"]

_PARTS = ("full", "example", "lexical", "sentence")


@dataclass(frozen=True)
class Ranking:
    """Per query under one set of weights: best score, its lead over the runner-up, whether
    the best is the expected entry, and the expected entry's score when it is among the first
    ``top_k`` (else -inf)."""

    top: np.ndarray
    lead: np.ndarray
    top_ok: np.ndarray
    expected_score: np.ndarray
    expected_rank: np.ndarray  # 0-based rank of the expected entry, depth when absent


@dataclass(frozen=True)
class HitMatrix:
    entry: np.ndarray  # queries x depth, int codes of entry ids, -1 = no candidate
    parts: np.ndarray  # queries x depth x 4 (full, example, lexical, sentence)
    expected: np.ndarray  # queries, code of the expected entry; -1 out of scope, -2 unknown
    ids: tuple[str, ...]

    @classmethod
    def from_scored(cls, scored: Sequence[ScoredQuery]) -> HitMatrix:
        codes: dict[str, int] = {}
        depth = max((len(s.hits) for s in scored), default=0)
        entry = np.full((len(scored), max(depth, 1)), -1, dtype=np.int64)
        parts = np.zeros((len(scored), max(depth, 1), len(_PARTS)), dtype=np.float64)
        expected = np.full(len(scored), -1, dtype=np.int64)
        for i, s in enumerate(scored):
            for j, h in enumerate(s.hits):
                entry[i, j] = codes.setdefault(h.entry_id, len(codes))
                parts[i, j] = (h.full, h.example, h.lexical, h.sentence)
            if s.query.expected is not None:
                expected[i] = codes.get(s.query.expected, -2)
        return cls(entry, parts, expected, tuple(codes))

    def __len__(self) -> int:
        return len(self.expected)

    @property
    def out_of_scope(self) -> np.ndarray:
        return self.expected == -1

    def scores(self, full_weight: float, lexical_weight: float = 0.0,
               sentence_weight: float = 0.0) -> np.ndarray:
        w = np.array([full_weight, 1.0 - full_weight, lexical_weight, sentence_weight])
        s = self.parts @ w
        return np.where(self.entry >= 0, s, -np.inf)

    def rank(self, full_weight: float, lexical_weight: float = 0.0,
             sentence_weight: float = 0.0, top_k: int = 3) -> Ranking:
        s = self.scores(full_weight, lexical_weight, sentence_weight)
        order = np.argsort(-s, axis=1, kind="stable")
        rows = np.arange(len(s))[:, None]
        ranked_s = s[rows, order]
        ranked_e = self.entry[rows, order]
        top = np.where(np.isfinite(ranked_s[:, 0]), ranked_s[:, 0], -1.0)
        if s.shape[1] > 1:
            second = ranked_s[:, 1]
            lead = np.where(np.isfinite(second), top - second, 1.0)
        else:
            lead = np.ones(len(s))
        hit = ranked_e == self.expected[:, None]
        top_ok = hit[:, 0] & (self.expected >= 0)
        depth = s.shape[1]
        found = hit.any(axis=1) & (self.expected >= 0)
        expected_rank = np.where(found, hit.argmax(axis=1), depth).astype(np.float64)
        within = found & (expected_rank < top_k)
        expected_score = np.where(within, ranked_s[np.arange(len(s)), hit.argmax(axis=1)],
                                  -np.inf)
        return Ranking(top, lead, top_ok, expected_score, expected_rank)
