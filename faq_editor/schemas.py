"""Request and response bodies of the FAQ editor's API (documented in /docs, OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from faq_editor.entry_writer import EntryFields

__all__ = [
    "ChangeOut",
    "ChecksOut",
    "DecisionOut",
    "DraftIn",
    "EntryIn",
    "EntryOut",
    "EntrySummary",
    "PublishedOut",
    "TryIn",
    "TryOut",
]


class EntryIn(BaseModel):
    """One language version of an entry, as written in the editor."""

    id: str = Field(
        max_length=80, examples=["envio-plazo"], description="Ties the language versions together"
    )
    lang: str = Field(max_length=8, examples=["es"])
    question: str = Field(max_length=2000)
    answer: str = Field(max_length=20000)
    alt_questions: list[str] = Field(
        default_factory=list, max_length=500, description="Other ways customers ask it"
    )
    category: str = Field(
        default="",
        max_length=80,
        pattern=r"^[\w-]*$",
        examples=["envios"],
        description="Also the file name of a new entry: <lang>/<category>.yaml",
    )
    url: str | None = Field(default=None, max_length=500)

    def fields(self, updated: str | None = None) -> EntryFields:
        return EntryFields(
            self.id.strip(),
            self.lang.strip(),
            self.question.strip(),
            self.answer.strip(),
            tuple(a.strip() for a in self.alt_questions if a.strip()),
            self.category.strip() or "faq",
            (self.url or "").strip() or None,
            updated,
        )


class DraftIn(BaseModel):
    """An unsaved edit: ``entry`` replacing version (``original_id``, ``original_lang``); new when absent."""

    entry: EntryIn
    original_id: str | None = Field(default=None, max_length=80)
    original_lang: str | None = Field(default=None, max_length=8)

    def original(self) -> tuple[str, str] | None:
        if self.original_id is None:
            return None
        return self.original_id, self.original_lang or self.entry.lang


class EntrySummary(BaseModel):
    id: str
    lang: str
    question: str
    category: str
    alt_count: int
    updated: str | None
    languages: list[str] = Field(description="Languages this entry exists in")


class EntryOut(BaseModel):
    id: str
    lang: str
    question: str
    answer: str
    alt_questions: list[str]
    category: str
    url: str | None
    updated: str | None
    file: str = Field(description="The entry file, relative to KB_PATH")
    editable: bool = Field(description="False for entries kept in Markdown, JSON or spreadsheets")
    languages: list[str]


class ProblemOut(BaseModel):
    code: str
    field: str
    message_es: str
    message_en: str
    other_id: str | None = None


class CloseOut(BaseModel):
    code: Literal["too_close"] = "too_close"
    field: str
    phrasing: str
    other_id: str
    other_lang: str
    other_question: str
    score: float
    threshold: float


class ChecksOut(BaseModel):
    ok: bool = Field(description="False: saving would be refused (422 faq_invalid) for the problems")
    problems: list[ProblemOut]
    warnings: list[CloseOut] = Field(description="Do not block saving")


class CandidateOut(BaseModel):
    id: str
    lang: str
    question: str
    score: float


class DecisionOut(BaseModel):
    action: Literal["answer", "clarify", "handoff"]
    reason: str
    answer_id: str | None
    answer: str | None
    candidates: list[CandidateOut]


class TryIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
    lang: str = Field(default="es", max_length=8)
    draft: DraftIn | None = Field(default=None, description="Unsaved edit for the 'after' decision")


class TryOut(BaseModel):
    before: DecisionOut
    after: DecisionOut | None = Field(description="With the draft applied in memory; null without a draft")


class ChangeOut(BaseModel):
    id: int
    entry_id: str
    lang: str
    kind: Literal["create", "update", "delete"]
    source: str
    author: str
    agent_id: int | None
    created_at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reverts_id: int | None


class PublishedOut(BaseModel):
    change: ChangeOut
    entry: EntryOut | None
    warnings: list[CloseOut]
    files: list[str]
    seconds: float = Field(description="Index rebuild time")
