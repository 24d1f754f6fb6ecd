"""``python -m learning learn``: a learning run from the hub's database to the KB index.

1. The learned file (``KB_INDEX_DIR/learned.jsonl``) is written from the examples not removed; if
   an admin removed one since, the index is rebuilt without it.
2. The pending labels (``learning/runs.py``) are judged by ``knowledge_base.learn_index``: kept ->
   the new index and learned file are written (a running bot live-reloads them); rolled back ->
   nothing is written.
3. The run is recorded in ``learning_runs`` (failed too), its examples in ``learning_examples``.

All of it under the learned file's lock (``learned_lock``): an admin's removal in the hub
(``learning/unlearn.py``) waits for the run, then takes the example out of what the run wrote.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from hub.db import create_engine, migrate
from knowledge_base import KBSettings
from knowledge_base.embedder import Embedder, make_embedder
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.learn_index import learn_into_index, rebuild_if_needed
from knowledge_base.learned import Learned, learned_file, learned_lock, load_learned, save_learned
from learning import runs
from learning.run_models import Outcome

__all__ = ["learn", "run_once"]


async def run_once(engine: AsyncEngine, kb: KBSettings, embedder: Embedder, trigger: str) -> dict[str, Any]:
    """One learning run; returns its record as a dict (what the CLI prints)."""
    with learned_lock(kb):  # a blocking wait: the CLI's loop has nothing else to do
        return await _run(engine, kb, embedder, trigger)


async def _run(engine: AsyncEngine, kb: KBSettings, embedder: Embedder, trigger: str) -> dict[str, Any]:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions.begin() as session:
        examples = await runs.active_examples(session)
        labels = await runs.pending_labels(session)
        run = await runs.start(session, trigger=trigger, label_ids=[s.id for s in labels])
    path = learned_file(kb)
    current = [Learned(LabelledQuery(e.text, e.expected, e.language), e.signal_id) for e in examples]
    try:
        if [e.as_dict() for e in load_learned(path)] != [e.as_dict() for e in current]:
            save_learned(path, current)
        rebuilt = await asyncio.to_thread(rebuild_if_needed, kb, embedder)
        new = [Learned(LabelledQuery(" ".join(s.text.split()), s.expected, s.language), s.id) for s in labels]
        result = await asyncio.to_thread(learn_into_index, kb, embedder, new)
    except Exception as exc:
        async with sessions.begin() as session:
            await runs.finish(session, run.id, outcome=Outcome.FAILED, reason=f"{type(exc).__name__}: {exc}")
        raise
    used = {e.signal_id for e in result.used if e.signal_id is not None}
    if result.kept:
        outcome = Outcome.KEPT
    elif not result.used:
        outcome = Outcome.NOTHING_NEW
    else:
        outcome = Outcome.ROLLED_BACK
    reason = result.reason + ("; index rebuilt without the removed examples" if rebuilt else "")
    async with sessions.begin() as session:
        row = await runs.finish(
            session, run.id, outcome=outcome, reason=reason, summary=result.summary(),
            learned=[s for s in labels if s.id in used] if result.kept else (),
        )
        if outcome == Outcome.ROLLED_BACK:
            row.label_ids = sorted(used)  # the labels judged (and not retried until relabelled)
        return record(row) | {"seconds": round(result.seconds, 1), "labels": len(result.used),
                              "kept": result.kept}


def record(row: Any) -> dict[str, Any]:
    return {"id": row.id, "started_at": row.started_at.isoformat(), "trigger": row.trigger,
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "outcome": row.outcome, "reason": row.reason, "label_ids": row.label_ids,
            "before": row.before, "after": row.after, "held_out": row.held_out}


def learn(db_url: str, trigger: str, kb: KBSettings | None = None) -> dict[str, Any]:
    kb = kb or KBSettings()

    async def go() -> dict[str, Any]:
        engine = create_engine(db_url)
        try:
            await migrate(engine)
            return await run_once(engine, kb, make_embedder(kb), trigger)
        finally:
            await engine.dispose()

    return asyncio.run(go())
