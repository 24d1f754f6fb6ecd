"""Conversation labels ("reembolso", "vip", "bug web"): agents add and remove them; the queue shows them.

A label is lower-case, 1-40 letters, digits, spaces, - or _ (spaces collapsed); a conversation has at most
:data:`MAX_PER_CONVERSATION`. Adding one it already has changes nothing. Each change is recorded as an
event (``label_added`` / ``label_removed``, with the agent) next to the conversation's others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Agent, ConversationLabel
from hub.crud import events
from hub.errors import HubError
from hub.valid_text import StoredText

__all__ = ["MAX_PER_CONVERSATION", "LabelIn", "LabelsOut", "add", "in_use", "of", "of_many", "remove"]

MAX_PER_CONVERSATION = 10
_LABEL = re.compile(r"^[\w][\w \-]{0,39}$")


def normalize(label: str) -> str:
    return " ".join(label.split()).lower()


class LabelIn(BaseModel):
    label: StoredText = Field(min_length=1, max_length=60, examples=["reembolso"])

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        value = normalize(value)
        if not _LABEL.match(value):
            raise ValueError("use 1-40 letters, digits, spaces, - or _, e.g. reembolso or envío urgente")
        return value


class LabelsOut(BaseModel):
    conversation_id: int
    labels: list[str] = Field(description="Alphabetical")


class LabelNotFound(HubError):
    code = "label_not_found"
    http_status = 404

    def __init__(self, conversation_id: int, label: str) -> None:
        super().__init__(
            f"La conversación {conversation_id} no tiene la etiqueta «{label}». / "
            f"Conversation {conversation_id} has no label '{label}'."
        )


class TooManyLabels(HubError):
    code = "too_many_labels"
    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            f"Una conversación lleva como mucho {MAX_PER_CONVERSATION} etiquetas; quita alguna antes. / "
            f"A conversation has at most {MAX_PER_CONVERSATION} labels; remove one first."
        )


async def of(session: AsyncSession, *, conversation_id: int) -> list[str]:
    return (await of_many(session, [conversation_id])).get(conversation_id, [])


async def of_many(session: AsyncSession, conversation_ids: Iterable[int]) -> dict[int, list[str]]:
    """Labels of each conversation (alphabetical); conversations without any are left out."""
    ids = list(set(conversation_ids))
    if not ids:
        return {}
    rows = await session.execute(
        sa.select(ConversationLabel.conversation_id, ConversationLabel.label)
        .where(ConversationLabel.conversation_id.in_(ids))
        .order_by(ConversationLabel.label)
    )
    found: dict[int, list[str]] = {}
    for conversation_id, label in rows:
        found.setdefault(conversation_id, []).append(label)
    return found


async def add(session: AsyncSession, *, agent: Agent, conversation_id: int, label: str) -> list[str]:
    current = await of(session, conversation_id=conversation_id)
    if label in current:
        return current
    if len(current) >= MAX_PER_CONVERSATION:
        raise TooManyLabels()
    session.add(ConversationLabel(conversation_id=conversation_id, label=label, agent_id=agent.id))
    await events.record(
        session,
        conversation_id=conversation_id,
        kind="label_added",
        data={"label": label, "agent_id": agent.id},
    )
    await session.flush()
    return sorted([*current, label])


async def remove(session: AsyncSession, *, agent: Agent, conversation_id: int, label: str) -> list[str]:
    gone = await session.execute(
        sa.delete(ConversationLabel).where(
            ConversationLabel.conversation_id == conversation_id, ConversationLabel.label == normalize(label)
        )
    )
    if not getattr(gone, "rowcount", 0):
        raise LabelNotFound(conversation_id, label)
    await events.record(
        session,
        conversation_id=conversation_id,
        kind="label_removed",
        data={"label": normalize(label), "agent_id": agent.id},
    )
    return await of(session, conversation_id=conversation_id)


async def in_use(session: AsyncSession, *, limit: int = 50) -> list[str]:
    """The labels on most conversations first: what the console suggests while typing one."""
    count = sa.func.count(ConversationLabel.id)
    rows = await session.execute(
        sa.select(ConversationLabel.label).group_by(ConversationLabel.label).order_by(count.desc(),
                                                                                       ConversationLabel.label)
        .limit(limit)
    )
    return [label for (label,) in rows]
