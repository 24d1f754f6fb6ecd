"""Learning runs and learned examples, for supervisors; removing an example, for admins.

- ``GET /api/v1/learning/runs?limit=`` supervisors: the runs, newest first.
- ``GET /api/v1/learning/examples?removed=`` supervisors: the learned examples (query -> entry, from
  which label, which run).
- ``DELETE /api/v1/learning/examples/{id}`` admins: remove one; the next ``python -m learning learn``
  rebuilds the index without it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from handoff import permissions
from handoff.api.deps import AgentDep
from handoff.models import Agent
from hub.api.deps import SessionsDep
from learning import runs
from learning.api import SupervisorDep
from learning.errors import AdminsOnly, ExampleNotFound
from learning.run_models import LearnedExample, LearningRun

__all__ = ["ExampleOut", "RunOut", "router"]

router = APIRouter(prefix="/api/v1/learning", tags=["learning"])

_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "no or unknown token"}}


class RunOut(BaseModel):
    id: int
    started_at: datetime
    finished_at: datetime | None
    trigger: str
    outcome: str
    reason: str
    label_ids: list[int]
    before: dict[str, Any]
    after: dict[str, Any]
    held_out: dict[str, Any]


class ExampleOut(BaseModel):
    id: int
    text: str
    expected: str | None
    lang: str
    signal_id: int
    run_id: int
    created_at: datetime
    removed_at: datetime | None
    removed_by: int | None

    @classmethod
    def of(cls, row: LearnedExample) -> ExampleOut:
        return cls(id=row.id, text=row.text, expected=row.expected, lang=row.language,
                   signal_id=row.signal_id, run_id=row.run_id, created_at=row.created_at,
                   removed_at=row.removed_at, removed_by=row.removed_by)


def _admin(agent: AgentDep) -> Agent:
    if not permissions.is_admin(agent):
        raise AdminsOnly()
    return agent


AdminDep = Annotated[Agent, Depends(_admin)]


@router.get("/runs", responses={**_ERRORS, 403: {"description": "supervisor_only"}})
async def list_runs(
    _: SupervisorDep, sessions: SessionsDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[RunOut]:
    """The learning runs, newest first: labels used, before/after on the held-out queries, outcome."""
    async with sessions() as session:
        rows = (await session.execute(
            sa.select(LearningRun).order_by(LearningRun.id.desc()).limit(limit))).scalars().all()
    return [RunOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/examples", responses={**_ERRORS, 403: {"description": "supervisor_only"}})
async def list_examples(
    _: SupervisorDep, sessions: SessionsDep, removed: Annotated[bool, Query()] = False
) -> list[ExampleOut]:
    """The learned examples (removed ones too with ``removed=true``), oldest first."""
    query = sa.select(LearnedExample).order_by(LearnedExample.id)
    if not removed:
        query = query.where(LearnedExample.removed_at.is_(None))
    async with sessions() as session:
        rows = (await session.execute(query)).scalars().all()
    return [ExampleOut.of(r) for r in rows]


@router.delete("/examples/{example_id}", responses={
    **_ERRORS, 403: {"description": "admin_only"}, 404: {"description": "learned_example_not_found"},
})
async def remove_example(admin: AdminDep, sessions: SessionsDep, example_id: int) -> ExampleOut:
    """Remove a learned example (again: a no-op). The bot drops it at the next learning run."""
    async with sessions.begin() as session:
        row = await runs.remove_example(session, example_id, agent_id=admin.id)
        if row is None:
            raise ExampleNotFound(example_id)
        await session.flush()
        return ExampleOut.of(row)
