"""Learning runs and learned examples, for supervisors; removing an example, for admins.

- ``GET /api/v1/learning/runs?limit=`` supervisors: the runs, newest first.
- ``GET /api/v1/learning/examples?removed=`` supervisors: the learned examples (query -> entry, from
  which label, which run).
- ``DELETE /api/v1/learning/examples/{id}`` admins: remove one; the hub rebuilds the index without it
  in the background (``learning/unlearn.py``; else the next ``python -m learning learn`` does).
- ``GET /api/v1/learning/examples/removal`` supervisors: whether the last removal reached the bot yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import permissions
from handoff.api.deps import AgentDep
from handoff.models import Agent
from hub.api.deps import SessionsDep
from learning import runs
from learning.api import SupervisorDep
from learning.errors import AdminsOnly, ExampleNotFound
from learning.faq_search import FaqCatalog
from learning.run_models import LearnedExample, LearningRun
from learning.unlearn import Removed, Unlearning

__all__ = ["ExampleOut", "RemovalOut", "RunOut", "router"]

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
    #: the expected entry's question (in ``lang`` when it has that version); None: no such entry now
    question: str | None = None
    lang: str
    signal_id: int
    run_id: int
    created_at: datetime
    removed_at: datetime | None
    removed_by: int | None

    @classmethod
    def of(cls, row: LearnedExample, faq: FaqCatalog | None = None) -> ExampleOut:
        return cls(id=row.id, text=row.text, expected=row.expected, lang=row.language,
                   question=_question(faq, row.expected, row.language),
                   signal_id=row.signal_id, run_id=row.run_id, created_at=row.created_at,
                   removed_at=row.removed_at, removed_by=row.removed_by)


class RemovedOut(ExampleOut):
    #: ``rebuilding``: the hub is rebuilding the index without it (``GET .../examples/removal``);
    #: ``next_run``: the bot drops it at the next learning run
    takes_effect: Literal["rebuilding", "next_run"]


class RemovalOut(BaseModel):
    """The last removal's effect on the bot (``learning/unlearn.py``)."""

    immediate: bool
    #: this hub process's last rebuild (another process may be the one rebuilding: see ``in_bot``)
    state: Literal["idle", "rebuilding", "done", "failed"]
    #: removed examples the bot still loads (in the learned file); None: unknown here
    in_bot: int | None
    dropped: int
    seconds: float | None
    finished_at: datetime | None
    error: str


def _question(faq: FaqCatalog | None, entry_id: str | None, lang: str) -> str | None:
    if faq is None or entry_id is None:
        return None
    try:
        entry = faq.get(entry_id, lang)
    except Exception:  # unreadable entry files: the id alone
        return None
    return entry.question if entry is not None else None


def _faq(request: Request) -> FaqCatalog | None:
    return getattr(request.app.state, "faq_catalog", None)


def _unlearning(request: Request) -> Unlearning:
    found = getattr(request.app.state, "unlearning", None)
    return found if isinstance(found, Unlearning) else Unlearning()


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
    _: SupervisorDep, sessions: SessionsDep, request: Request, removed: Annotated[bool, Query()] = False
) -> list[ExampleOut]:
    """The learned examples (removed ones too with ``removed=true``), oldest first."""
    query = sa.select(LearnedExample).order_by(LearnedExample.id)
    if not removed:
        query = query.where(LearnedExample.removed_at.is_(None))
    async with sessions() as session:
        rows = (await session.execute(query)).scalars().all()
    faq = _faq(request)
    return [ExampleOut.of(r, faq) for r in rows]


@router.get("/examples/removal", responses={**_ERRORS, 403: {"description": "supervisor_only"}})
async def removal_status(_: SupervisorDep, sessions: SessionsDep, request: Request) -> RemovalOut:
    """Whether the removals reached the bot: ``in_bot`` 0 -> yes; ``state`` ``rebuilding``, ``done``, or
    ``failed`` (the next learning run removes them); ``immediate`` false: they wait for that run."""
    unlearning = _unlearning(request)
    s = unlearning.status
    async with sessions() as session:
        removed = await _removed(session)
    return RemovalOut(immediate=unlearning.immediate, state=s.state, in_bot=unlearning.still_in(removed),
                      dropped=s.dropped, seconds=s.seconds, finished_at=s.finished_at, error=s.error)


async def _removed(session: AsyncSession) -> list[Removed]:
    gone = (await session.execute(
        sa.select(LearnedExample).where(LearnedExample.removed_at.is_not(None)))).scalars().all()
    return [Removed(r.signal_id, r.text, r.expected, r.language) for r in gone]


@router.delete("/examples/{example_id}", responses={
    **_ERRORS, 403: {"description": "admin_only"}, 404: {"description": "learned_example_not_found"},
})
async def remove_example(admin: AdminDep, sessions: SessionsDep, request: Request,
                         example_id: int) -> RemovedOut:
    """Remove a learned example (again: a no-op) and take it out of the bot: at once when the hub can
    rebuild the index (``takes_effect: rebuilding``), else at the next learning run (``next_run``)."""
    async with sessions.begin() as session:
        row = await runs.remove_example(session, example_id, agent_id=admin.id)
        if row is None:
            raise ExampleNotFound(example_id)
        await session.flush()
        out = ExampleOut.of(row, _faq(request))
        removed = await _removed(session)
    return RemovedOut(**out.model_dump(), takes_effect=_unlearning(request).remove(removed))
