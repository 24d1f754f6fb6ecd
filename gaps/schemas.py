"""What the gap report's API answers (``/api/v1/gaps``); every text is masked (gaps/masking.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["ClusterOut", "DraftOut", "ExampleOut", "HandledIn", "HandledOut", "ReplyOut", "ReportOut"]


class TrendOut(BaseModel):
    last_7_days: int
    previous_7_days: int
    weeks: list[int] = Field(
        description="Questions per week, the last 8 weeks, oldest first (the last: today's)"
    )


class ExampleOut(BaseModel):
    message_id: int
    conversation_id: int
    text: str
    created_at: datetime
    why: str = Field(description="handoff | clarify_none | not_helpful | no_faq")
    reply: str | None = Field(description="The first agent message that followed it in its conversation")
    link: str = Field(description="The conversation in the agent console")


class ReplyOut(BaseModel):
    text: str
    count: int = Field(description="How many of the cluster's questions got this reply first")


class HandledOut(BaseModel):
    entry_id: str
    lang: str
    change_id: int | None
    handled_at: datetime


class ClusterOut(BaseModel):
    id: int = Field(
        description="The representative question's message id (any member's id finds the cluster)"
    )
    lang: str
    representative: str
    size: int
    open: int = Field(description="Questions no published entry was marked as covering yet")
    why: dict[str, int]
    first_seen: datetime
    last_seen: datetime
    trend: TrendOut
    questions: list[str] = Field(description="The distinct wordings, representative first")
    examples: list[ExampleOut]
    replies: list[ReplyOut] = Field(description="What agents answered, most used first")
    handled: HandledOut | None = Field(description="Set when every question is covered by a published entry")


class ReportOut(BaseModel):
    generated_at: datetime
    days: int
    questions: int = Field(description="Unanswered questions in the period")
    clusters: list[ClusterOut]


class EntryDraftOut(BaseModel):
    id: str
    lang: str
    question: str
    alt_questions: list[str]
    answer: str
    category: str
    url: str | None


class DraftOut(BaseModel):
    cluster: int
    entry: EntryDraftOut
    message_ids: list[int]


class HandledIn(BaseModel):
    entry_id: str = Field(min_length=1, max_length=80)
    lang: str = Field(min_length=2, max_length=8)
    change_id: int | None = Field(default=None, description="The FAQ editor's change that published it")


class MarkedOut(BaseModel):
    cluster: int
    marked: int
