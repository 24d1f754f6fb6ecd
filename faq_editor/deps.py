"""Dependencies of the FAQ editor's routes: the editor, who may write, running KB work off the event loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from faq_editor.editor import FaqEditor, to_fields
from faq_editor.entry_writer import NotEditable
from faq_editor.errors import KBUnavailable, NotEditableHere
from faq_editor.schemas import EntryOut
from handoff import permissions
from handoff.api.deps import AgentDep
from handoff.models import Agent
from knowledge_base import Entry, IndexStaleError, KBValidationError, ModelChecksumError

__all__ = ["UNAVAILABLE", "EditorDep", "WriterDep", "entry_out", "off_loop", "today"]

T = TypeVar("T")

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "kb_unavailable: the FAQ's index is not built yet (make run, "
          "python -m knowledge_base build), or the entry files do not validate"}
}


def get_editor(request: Request) -> FaqEditor:
    editor: FaqEditor = request.app.state.faq_editor
    return editor


def get_writer(agent: AgentDep) -> Agent:
    """Supervisors and admins write the FAQ; other agents get 403 ``supervisor_only``."""
    permissions.require_supervisor(agent)
    return agent


EditorDep = Annotated[FaqEditor, Depends(get_editor)]
WriterDep = Annotated[Agent, Depends(get_writer)]


async def off_loop(fn: Callable[..., T], *args: object) -> T:
    """Run KB work (embedding, building) in a thread; the KB's own failures become 409/503 errors."""
    try:
        return await run_in_threadpool(fn, *args)
    except NotEditable as exc:
        raise NotEditableHere(str(exc)) from exc
    except KBValidationError as exc:
        first = exc.problems[0] if exc.problems else ""
        raise KBUnavailable(f"the entry files have {len(exc.problems)} problem(s), first: {first}") from exc
    except (IndexStaleError, ModelChecksumError, OSError) as exc:
        raise KBUnavailable(str(exc)) from exc


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def entry_out(editor: FaqEditor, entry: Entry, languages: list[str]) -> EntryOut:
    fields = to_fields(entry)
    path = entry.source.rpartition(":")[0]
    root = editor.settings.path
    try:
        file = str(Path(path).relative_to(root if root.is_dir() else root.parent))
    except ValueError:
        file = path
    return EntryOut(
        id=fields.id,
        lang=fields.lang,
        question=fields.question,
        answer=fields.answer,
        alt_questions=list(fields.alt_questions),
        category=fields.category,
        url=fields.url,
        updated=fields.updated,
        file=file,
        editable=path.lower().endswith((".yaml", ".yml")),
        languages=languages,
    )
