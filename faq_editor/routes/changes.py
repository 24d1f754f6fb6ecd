"""``/api/v1/faq/changes``: the change log (any agent reads it) and reverting a change (supervisors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from faq_editor import changes
from faq_editor.deps import UNAVAILABLE, EditorDep, WriterDep, off_loop, today
from faq_editor.errors import ChangeNotFound, NothingToRevert
from faq_editor.models import FaqChange
from faq_editor.routes.change_out import change_out
from faq_editor.routes.entries import publish
from faq_editor.schemas import PublishedOut
from handoff.api.deps import AgentDep
from hub.api.deps import SessionsDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/faq", tags=["faq editor"], responses=UNAVAILABLE)


@router.get("/changes", summary="Published changes, newest first (filter by entry)")
async def list_changes(
    sessions: SessionsDep,
    _agent: AgentDep,
    entry_id: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, description="Page back: changes older than this id")] = None,
) -> dict[str, Any]:
    async with sessions() as session:
        rows = await changes.list_changes(session, entry_id=entry_id, limit=limit, before_id=before_id)
        return {"changes": [change_out(r).model_dump(mode="json") for r in rows]}


@router.post(
    "/changes/{change_id}/revert",
    response_model=PublishedOut,
    responses={
        404: {"description": "faq_change_not_found"},
        409: {"description": "faq_nothing_to_revert"},
        403: {"description": "supervisor_only"},
        422: {"description": "faq_invalid"},
    },
    summary="Undo a change: a new change that puts back what it replaced",
)
async def revert_change(
    change_id: Annotated[int, Path(ge=1)], editor: EditorDep, sessions: SessionsDep, agent: WriterDep
) -> PublishedOut | JSONResponse:
    async with sessions() as session:
        row = await session.get(FaqChange, change_id)
        if row is None:
            raise ChangeNotFound(change_id)
    catalog = await off_loop(editor.catalog)
    versions = {(e.id, e.lang): e for e in catalog.entries}
    undo = changes.revert_of(row, versions, today())
    if undo is None:
        raise NothingToRevert(change_id)
    return await publish(editor, sessions, agent, undo, undo.remove, source="revert", reverts_id=row.id)
