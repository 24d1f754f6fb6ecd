"""Signals as labelled queries, the eval JSONL contract (``{"text", "expected": id | null, "lang"}``,
knowledge_base/labelled_queries.py) that ``python -m knowledge_base`` evaluates and calibrates with.

What each kind says a query expects: ``faq``, ``helpful`` and ``clarify_pick`` -> that entry; ``no_faq``
and ``clarify_none`` -> null (a person); ``not_question``, ``not_helpful`` and ``person_after_answer`` say
only what was wrong, so they are not exported. One line per (text, lang): the strongest signal, the latest
among equals. Confirmed (agents' labels) only unless a weaker strength is asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from learning.models import STRENGTH_ORDER, Kind, Signal, Strength

__all__ = ["EXPORTED", "labelled_queries", "signals", "strengths_down_to", "to_jsonl"]

#: Kinds that say what a query expects (the entry, or null: a person).
EXPORTED = (Kind.FAQ, Kind.NO_FAQ, Kind.HELPFUL, Kind.CLARIFY_PICK, Kind.CLARIFY_NONE)


def strengths_down_to(weakest: Strength) -> tuple[Strength, ...]:
    return STRENGTH_ORDER[: STRENGTH_ORDER.index(weakest) + 1]


async def signals(session: AsyncSession, *, weakest: Strength = Strength.CONFIRMED) -> Sequence[Signal]:
    query = sa.select(Signal).where(
        Signal.kind.in_(EXPORTED), Signal.strength.in_(strengths_down_to(weakest))
    )
    return (await session.execute(query.order_by(Signal.id))).scalars().all()


def labelled_queries(rows: Iterable[Signal]) -> list[dict[str, Any]]:
    """One ``{"text", "expected", "lang"}`` per (text, lang), strongest signal first, then the latest."""
    best: dict[tuple[str, str], Signal] = {}
    for row in rows:
        text = " ".join(row.text.split())
        if not text:
            continue
        key = (text.casefold(), row.language)
        held = best.get(key)
        if held is None or STRENGTH_ORDER.index(Strength(row.strength)) <= STRENGTH_ORDER.index(
            Strength(held.strength)
        ):
            best[key] = row
    return [
        {"text": " ".join(row.text.split()), "expected": row.expected, "lang": row.language}
        for row in sorted(best.values(), key=lambda r: r.id)
    ]


def to_jsonl(lines: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
