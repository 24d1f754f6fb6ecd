"""``/api/v1/faq/checks`` and ``/api/v1/faq/try``: an unsaved draft, checked and tried; nothing published.

Any logged-in agent may call them (they change nothing); the page calls ``checks`` as the supervisor types.
"""

from __future__ import annotations

from fastapi import APIRouter

from faq_editor.deps import UNAVAILABLE, EditorDep, off_loop
from faq_editor.editor import Change
from faq_editor.routes.change_out import close_out, problem_out
from faq_editor.schemas import CandidateOut, ChecksOut, DecisionOut, DraftIn, TryIn, TryOut
from handoff.api.deps import AgentDep
from knowledge_base import Decision

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/faq", tags=["faq editor"], responses=UNAVAILABLE)


@router.post("/checks", response_model=ChecksOut, summary="The checks saving would run, on a draft")
async def check_draft(body: DraftIn, editor: EditorDep, _agent: AgentDep) -> ChecksOut:
    found = await off_loop(editor.check, body.entry.fields(), body.original())
    return ChecksOut(
        ok=found.ok,
        problems=[problem_out(p) for p in found.problems],
        warnings=[close_out(w) for w in found.warnings],
    )


def _decision(d: Decision) -> DecisionOut:
    return DecisionOut(
        action=d.action,
        reason=d.reason,
        answer_id=d.answer.id if d.answer else None,
        answer=d.answer.answer if d.answer else None,
        candidates=[
            CandidateOut(id=c.entry_id, lang=c.lang, question=c.question, score=c.score) for c in d.candidates
        ],
    )


@router.post(
    "/try",
    response_model=TryOut,
    summary="What the bot would do with a question, now and with an unsaved draft",
)
async def try_it(body: TryIn, editor: EditorDep, _agent: AgentDep) -> TryOut:
    change = None
    if body.draft is not None:
        change = Change(body.draft.original(), body.draft.entry.fields())
    before, after = await off_loop(editor.try_it, body.text, body.lang, change)
    return TryOut(before=_decision(before), after=_decision(after) if after is not None else None)
