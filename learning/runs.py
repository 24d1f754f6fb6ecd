"""Learning runs in the hub's database: which labels a run takes, its record, the learned examples.

A run takes the agents' confirmed labels (``faq`` -> an example of that entry; ``no_faq`` -> an
out-of-scope query for calibration) that are not learned yet and were not judged by a rolled-back
run since they were last (re)labelled. Customers' explicit signals and the implicit ones are not
learned from (docs/learning.md, "Learning runs").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import utcnow
from learning.models import Kind, Signal, Strength
from learning.run_models import LearnedExample, LearningRun, Outcome

__all__ = ["LEARNED_KINDS", "active_examples", "finish", "pending_labels", "remove_example", "start"]

LEARNED_KINDS = (Kind.FAQ, Kind.NO_FAQ)


async def active_examples(session: AsyncSession) -> Sequence[LearnedExample]:
    query = sa.select(LearnedExample).where(LearnedExample.removed_at.is_(None))
    return (await session.execute(query.order_by(LearnedExample.id))).scalars().all()


async def pending_labels(session: AsyncSession) -> list[Signal]:
    """Confirmed ``faq``/``no_faq`` labels not learned (or removed) yet, and not rejected by a
    rolled-back run since they were last labelled (relabelling one makes it pending again)."""
    taken = set((await session.execute(sa.select(LearnedExample.signal_id))).scalars())
    rejected: dict[int, Any] = {}
    runs = await session.execute(
        sa.select(LearningRun.label_ids, LearningRun.started_at)
        .where(LearningRun.outcome == Outcome.ROLLED_BACK))
    for ids, started in runs:
        for i in ids or []:
            rejected[i] = max(started, rejected.get(i, started))
    query = sa.select(Signal).where(Signal.kind.in_(LEARNED_KINDS),
                                    Signal.strength == Strength.CONFIRMED).order_by(Signal.id)
    return [s for s in (await session.execute(query)).scalars()
            if s.id not in taken and not (s.id in rejected and s.created_at <= rejected[s.id])]


async def start(session: AsyncSession, *, trigger: str, label_ids: list[int]) -> LearningRun:
    run = LearningRun(trigger=trigger, label_ids=label_ids, outcome=Outcome.RUNNING, reason="",
                      before={}, after={}, held_out={})
    session.add(run)
    await session.flush()
    return run


async def finish(session: AsyncSession, run_id: int, *, outcome: Outcome, reason: str,
                 summary: dict[str, Any] | None = None, learned: Sequence[Signal] = ()) -> LearningRun:
    run = await session.get(LearningRun, run_id)
    assert run is not None
    run.outcome, run.reason, run.finished_at = outcome, reason, utcnow()
    if summary:
        run.before, run.after, run.held_out = summary["before"], summary["after"], summary["held_out"]
    for s in learned:
        session.add(LearnedExample(run_id=run.id, signal_id=s.id, text=" ".join(s.text.split()),
                                   expected=s.expected, language=s.language))
    await session.flush()
    return run


async def remove_example(session: AsyncSession, example_id: int, *, agent_id: int) -> LearnedExample | None:
    """Mark it removed (None: no such example); the next run writes the file without it and rebuilds."""
    row = await session.get(LearnedExample, example_id)
    if row is None:
        return None
    if row.removed_at is None:
        row.removed_at, row.removed_by = utcnow(), agent_id
    return row
