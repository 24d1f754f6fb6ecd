"""``/api/v1/faq/entries``: list and search (any agent), read, create, edit, delete (supervisors, admins).

Every write is checked again (422 ``faq_invalid`` with the problems), published (the entry files and the
index, ``faq_editor/editor.py``), then logged as a change (``faq_changes``): a change that could not be
published is not logged. Publishing happens outside any database transaction (it can take a minute).
"""

from __future__ import annotations

import pathlib
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from faq_editor import changes
from faq_editor.checks import same_text
from faq_editor.deps import UNAVAILABLE, EditorDep, WriterDep, entry_out, off_loop, today
from faq_editor.editor import Change, FaqEditor
from faq_editor.errors import EntryNotFound
from faq_editor.routes.change_out import change_out, close_out, problem_out
from faq_editor.schemas import EntryIn, EntryOut, EntrySummary, PublishedOut
from handoff.api.deps import AgentDep
from handoff.models import Agent
from hub.api.deps import SessionsDep
from knowledge_base import Entry

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/faq", tags=["faq editor"], responses=UNAVAILABLE)

EntryId = Annotated[str, Path(max_length=80, examples=["envio-plazo"])]
Lang = Annotated[str, Path(max_length=8, examples=["es"])]
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "faq_invalid: the checks' problems, in error.problems"},
    403: {"description": "supervisor_only"},
    409: {"description": "faq_not_editable"},
}


def _matches(entry: Entry, words: list[str]) -> int:
    """0 = no match; higher = better (question first, then alternatives, answer, id and category)."""
    fields = [
        (4, entry.question),
        (3, " ".join(entry.alt_questions)),
        (2, entry.answer),
        (1, f"{entry.id} {entry.category}"),
    ]
    score = 0
    for word in words:
        best = max((w for w, text in fields if word in same_text(text)), default=0)
        if best == 0:
            return 0
        score += best
    return score


@router.get("/entries", summary="List and search the FAQ (any agent)")
async def list_entries(
    editor: EditorDep,
    _agent: AgentDep,
    q: Annotated[str, Query(max_length=200, description="Words, accents and case ignored")] = "",
    lang: Annotated[str | None, Query(max_length=8)] = None,
    category: Annotated[str | None, Query(max_length=80)] = None,
) -> dict[str, Any]:
    catalog = await off_loop(editor.catalog)
    words = same_text(q).split()
    found: list[tuple[int, Entry]] = []
    for e in catalog.entries:
        if (lang and e.lang != lang) or (category and e.category != category):
            continue
        rank = _matches(e, words) if words else 1
        if rank:
            found.append((rank, e))
    found.sort(key=lambda pair: (-pair[0], pair[1].category, pair[1].id, pair[1].lang))
    return {
        "entries": [
            EntrySummary(
                id=e.id,
                lang=e.lang,
                question=e.question,
                category=e.category,
                alt_count=len(e.alt_questions),
                updated=e.updated.isoformat() if e.updated else None,
                languages=sorted(catalog.versions(e.id)),
            ).model_dump()
            for _, e in found
        ],
        "categories": sorted({e.category for e in catalog.entries}),
        "languages": list(editor.settings.languages),
        "total": len(catalog.entries),
    }


@router.get("/entries/{entry_id}/{lang}", response_model=EntryOut, summary="One language version")
async def get_entry(editor: EditorDep, _agent: AgentDep, entry_id: EntryId, lang: Lang) -> EntryOut:
    catalog = await off_loop(editor.catalog)
    entry = catalog.versions(entry_id).get(lang)
    if entry is None:
        raise EntryNotFound(entry_id, lang)
    return entry_out(editor, entry, sorted(catalog.versions(entry_id)))


async def publish(
    editor: FaqEditor,
    sessions: SessionsDep,
    agent: Agent,
    change: Change,
    original: tuple[str, str] | None,
    *,
    source: str = "editor",
    reverts_id: int | None = None,
) -> PublishedOut | JSONResponse:
    """Check, publish, log; 422 ``faq_invalid`` with the problems when the checks refuse it."""
    if change.put is not None:
        found = await off_loop(editor.check, change.put, original)
        if not found.ok:
            return JSONResponse(
                status_code=422,
                content={
                    "error": {
                        "code": "faq_invalid",
                        "message": "Revisa los campos marcados. / Check the fields marked.",
                        "problems": [problem_out(p).model_dump() for p in found.problems],
                    }
                },
            )
        warnings = [close_out(w) for w in found.warnings]
    else:
        warnings = []
    before = await off_loop(_version, editor, change.remove)
    # publish first, outside any transaction: a rebuild can take a minute, and on SQLite an open write
    # transaction would hold up every message the hub stores meanwhile
    done = await off_loop(editor.publish, change)
    async with sessions() as session:
        row = changes.record(
            session, change=change, before=before, agent=agent, source=source, reverts_id=reverts_id
        )
        await session.commit()
        await session.refresh(row)
    catalog = await off_loop(editor.catalog)
    entry = catalog.versions(change.put.id).get(change.put.lang) if change.put is not None else None
    root = editor.settings.path if editor.settings.path.is_dir() else editor.settings.path.parent
    return PublishedOut(
        change=change_out(row),
        entry=entry_out(editor, entry, sorted(catalog.versions(entry.id))) if entry is not None else None,
        warnings=warnings,
        files=[_relative(f, root) for f in done.files],
        seconds=done.build_seconds,
    )


def _relative(path: str, root: pathlib.Path) -> str:
    try:
        return str(pathlib.Path(path).relative_to(root))
    except ValueError:
        return path


def _version(editor: FaqEditor, key: tuple[str, str] | None) -> Entry | None:
    if key is None:
        return None
    return editor.catalog().versions(key[0]).get(key[1])


@router.post(
    "/entries",
    status_code=201,
    response_model=PublishedOut,
    responses=_INVALID,
    summary="Add an entry (or a language version of one) and publish it",
)
async def create_entry(
    body: EntryIn, editor: EditorDep, sessions: SessionsDep, agent: WriterDep
) -> PublishedOut | JSONResponse:
    return await publish(editor, sessions, agent, Change(None, body.fields(today())), None)


@router.put(
    "/entries/{entry_id}/{lang}",
    response_model=PublishedOut,
    responses=_INVALID,
    summary="Edit a language version (a new lang moves it) and publish it",
)
async def edit_entry(
    entry_id: EntryId, lang: Lang, body: EntryIn, editor: EditorDep, sessions: SessionsDep, agent: WriterDep
) -> PublishedOut | JSONResponse:
    if await off_loop(_version, editor, (entry_id, lang)) is None:
        raise EntryNotFound(entry_id, lang)
    fields = replace(body.fields(today()), id=entry_id)  # the id ties the versions: it is not edited
    return await publish(editor, sessions, agent, Change((entry_id, lang), fields), (entry_id, lang))


@router.delete(
    "/entries/{entry_id}/{lang}",
    response_model=PublishedOut,
    responses=_INVALID,
    summary="Delete a language version (revertible from its change)",
)
async def delete_entry(
    entry_id: EntryId, lang: Lang, editor: EditorDep, sessions: SessionsDep, agent: WriterDep
) -> PublishedOut | JSONResponse:
    if await off_loop(_version, editor, (entry_id, lang)) is None:
        raise EntryNotFound(entry_id, lang)
    return await publish(editor, sessions, agent, Change((entry_id, lang), None), (entry_id, lang))
