"""What the gap report's API answers (``/api/v1/gaps``); every text is masked (gaps/masking.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = [
    "ClusterOut",
    "DraftOut",
    "ExampleOut",
    "HandledIn",
    "HandledOut",
    "ReplyOut",
    "ReportOut",
    "SubGroupOut",
    "TopicOut",
]


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


class SubGroupOut(BaseModel):
    id: int = Field(description="The cluster's id (its representative question's message id)")
    representative: str
    size: int
    open: int
    questions: list[str] = Field(description="The distinct wordings, representative first")
    distance: float = Field(description="Average cosine distance to the topic's largest sub-group (0: it)")
    handled: HandledOut | None


class TopicOut(ClusterOut):
    """One card: the pure clusters the same tree joins higher up, counted, trended and replied together
    (``id`` and ``representative`` are its largest sub-group's)."""

    sub_groups: list[SubGroupOut] = Field(
        description="The pure clusters, largest first; a draft or a marking takes the ticked ones' ids"
    )


class ReportOut(BaseModel):
    generated_at: datetime
    days: int
    questions: int = Field(description="Unanswered questions in the period (handled ones included)")
    open_questions: int = Field(description="Of those, the ones no published FAQ entry covers yet")
    clusters: list[ClusterOut] = Field(description="The pure clusters, most open questions first")
    topics: list[TopicOut] = Field(
        description="The clusters grouped into topics (GAPS_TOPIC_DISTANCE), most open questions first"
    )


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
    sub_groups: list[int] = Field(description="The clusters drafted from (their ids), largest first")


class HandledIn(BaseModel):
    entry_id: str = Field(min_length=1, max_length=80)
    lang: str = Field(min_length=2, max_length=8)
    change_id: int | None = Field(default=None, description="The FAQ editor's change that published it")
    sub_groups: list[int] | None = Field(
        default=None,
        max_length=200,
        description="The ticked sub-groups (any question id of each): only their questions are marked; "
        "none given: the cluster in the path",
    )


class MarkedOut(BaseModel):
    cluster: int
    marked: int
