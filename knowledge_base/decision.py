"""Answer, clarify or hand off: the decision for one query, with the reason for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from knowledge_base.entry import Entry

__all__ = ["Action", "Candidate", "Decision", "Thresholds", "decide_action"]

Action = Literal["answer", "clarify", "handoff"]


@dataclass(frozen=True)
class Thresholds:
    """Calibrated operating point (stored in the manifest; see ``calibration``).

    ``full_weight`` mixes the full-entry score with the nearest-example score and
    ``lexical_weight`` adds the character n-gram score; a query is answered when the best
    score reaches ``answer`` and leads the runner-up by ``margin``; otherwise candidates
    scoring at least ``clarify`` are offered; below that, handoff.
    """

    full_weight: float
    answer: float
    margin: float
    clarify: float
    lexical_weight: float = 0.0
    sentence_weight: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    question: str
    answer: str
    score: float
    lang: str
    url: str | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    answer: Entry | None = None
    candidates: list[Candidate] = field(default_factory=list)


def decide_action(scores: Sequence[float], t: Thresholds) -> tuple[Action, int, str]:
    """(action, how many candidates to offer, reason) from scores sorted best first."""
    if not scores:
        return "handoff", 0, "the knowledge base is empty"
    top = scores[0]
    second = scores[1] if len(scores) > 1 else float("-inf")
    lead = top - second
    if top < t.clarify:
        return "handoff", 0, f"top score {top:.3f} < clarify threshold {t.clarify:.3f}"
    if top >= t.answer and lead >= t.margin:
        return "answer", 1, (
            f"top score {top:.3f} >= answer threshold {t.answer:.3f} and leads the next "
            f"by {min(lead, 1.0):.3f} >= margin {t.margin:.3f}"
        )
    offered = sum(1 for s in scores if s >= t.clarify)
    if top < t.answer:
        why = f"top score {top:.3f} is between clarify {t.clarify:.3f} and answer {t.answer:.3f}"
    else:
        why = f"top two candidates are {lead:.3f} apart (< margin {t.margin:.3f})"
    return "clarify", offered, why
