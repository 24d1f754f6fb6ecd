"""Rows and check results as the API shows them."""

from __future__ import annotations

from typing import Literal, cast

from faq_editor.checks import Close, Problem
from faq_editor.models import FaqChange
from faq_editor.schemas import ChangeOut, CloseOut, ProblemOut

__all__ = ["change_out", "close_out", "problem_out"]


def change_out(row: FaqChange) -> ChangeOut:
    return ChangeOut(
        id=row.id,
        entry_id=row.entry_id,
        lang=row.lang,
        kind=cast(Literal["create", "update", "delete"], row.kind),
        source=row.source,
        author=row.author,
        agent_id=row.agent_id,
        created_at=row.created_at,
        before=row.before,
        after=row.after,
        reverts_id=row.reverts_id,
    )


def problem_out(p: Problem) -> ProblemOut:
    return ProblemOut(
        code=p.code, field=p.field, message_es=p.message_es, message_en=p.message_en, other_id=p.other_id
    )


def close_out(w: Close) -> CloseOut:
    return CloseOut(
        field=w.field,
        phrasing=w.phrasing,
        other_id=w.other_id,
        other_lang=w.other_lang,
        other_question=w.other_question,
        score=w.score,
        threshold=w.threshold,
    )
