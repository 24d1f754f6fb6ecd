"""The vectorised re-ranking used by calibration agrees with ranking hit lists one by one."""

from __future__ import annotations

import random

from knowledge_base.evaluation import ScoredQuery, ranked
from knowledge_base.hit_matrix import HitMatrix
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.retriever import Hit


def _random_scored(rng: random.Random) -> list[ScoredQuery]:
    out = []
    for _ in range(50):
        ids = rng.sample("abcdefgh", rng.randint(1, 6))
        hits = [Hit(i, 0.0, rng.random(), rng.random(), "es", rng.random(), rng.random())
                for i in ids]
        expected = rng.choice([*ids, None, "z"])
        out.append(ScoredQuery(LabelledQuery("q", expected, "es"), hits))
    return out


def test_rank_matches_the_per_query_ranking_under_any_weights() -> None:
    rng = random.Random(7)
    scored = _random_scored(rng)
    m = HitMatrix.from_scored(scored)
    for w, lw, sw in ((0.0, 0.0, 0.0), (0.5, 0.1, 0.0), (1.0, 0.3, 0.5)):
        r = m.rank(w, lw, sw)
        for i, s in enumerate(scored):
            order = ranked(s.hits, w, lw, sw)
            assert abs(r.top[i] - order[0][1]) < 1e-9
            assert r.top_ok[i] == (order[0][0] == s.query.expected)
            lead = order[0][1] - order[1][1] if len(order) > 1 else 1.0
            assert abs(r.lead[i] - lead) < 1e-9
            ids = [e for e, _ in order]
            in_top3 = s.query.expected in ids[:3]
            assert (r.expected_rank[i] < 3) == in_top3


def test_out_of_scope_and_unknown_expected_are_never_right() -> None:
    scored = [ScoredQuery(LabelledQuery("q", None, "es"), [Hit("a", 0, 1, 1, "es")]),
              ScoredQuery(LabelledQuery("q", "zz", "es"), [Hit("a", 0, 1, 1, "es")])]
    r = HitMatrix.from_scored(scored).rank(0.5)
    assert not r.top_ok.any()
