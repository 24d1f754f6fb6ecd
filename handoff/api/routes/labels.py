"""Conversation labels (handoff/labels.py) and "who else is viewing" a conversation.

Label changes and viewing go to the agents' websocket (``/api/v1/agent/ws``): ``{"type": "queue_changed",
"conversation_id"}`` after a label change (the lists show labels), and ``{"type": "viewing",
"conversation_id", "agent_id", "agent_name", "on"}`` while a console shows a conversation (sent again every
15 s; a console that stops sending for 45 s has left).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import labels, permissions
from handoff.api.deps import AgentDep
from handoff.desk import publish_queue
from handoff.labels import LabelIn, LabelsOut
from handoff.models import Agent
from hub.api.deps import BroadcastDep, SessionsDep
from hub.crud import conversations
from hub.errors import ConversationNotAllowed, ConversationNotFound

__all__ = ["router"]

router = APIRouter(tags=["agent"])


class ViewingIn(BaseModel):
    on: bool = Field(description="true while my console shows the conversation; false when I leave it")


class LabelsInUse(BaseModel):
    labels: list[str] = Field(description="On most conversations first (at most 50)")


async def _readable(session: AsyncSession, agent: Agent, conversation_id: int) -> None:
    """404 when it does not exist; 403 unless I may act on it or handled it before (permissions.may_read)."""
    if await conversations.get(session, conversation_id=conversation_id) is None:
        raise ConversationNotFound(conversation_id)
    if not await permissions.may_read(session, agent=agent, conversation_id=conversation_id):
        raise ConversationNotAllowed(conversation_id)


@router.get("/labels", response_model=LabelsInUse)
async def labels_in_use(agent: AgentDep, sessions: SessionsDep) -> LabelsInUse:
    """The labels in use, to suggest while typing one."""
    async with sessions() as session:
        return LabelsInUse(labels=await labels.in_use(session))


@router.get("/conversations/{conversation_id}/labels", response_model=LabelsOut)
async def get_labels(conversation_id: int, agent: AgentDep, sessions: SessionsDep) -> LabelsOut:
    async with sessions() as session:
        await _readable(session, agent, conversation_id)
        found = await labels.of(session, conversation_id=conversation_id)
    return LabelsOut(conversation_id=conversation_id, labels=found)


@router.post("/conversations/{conversation_id}/labels", response_model=LabelsOut, status_code=201)
async def add_label(
    conversation_id: int, body: LabelIn, agent: AgentDep, sessions: SessionsDep, broadcast: BroadcastDep
) -> LabelsOut:
    """Add a label (one it has already: nothing changes); 409 ``too_many_labels`` past 10."""
    async with sessions.begin() as session:
        await _readable(session, agent, conversation_id)
        found = await labels.add(session, agent=agent, conversation_id=conversation_id, label=body.label)
    await publish_queue(broadcast, {"type": "queue_changed", "conversation_id": conversation_id})
    return LabelsOut(conversation_id=conversation_id, labels=found)


@router.delete("/conversations/{conversation_id}/labels/{label}", response_model=LabelsOut)
async def remove_label(
    conversation_id: int, label: str, agent: AgentDep, sessions: SessionsDep, broadcast: BroadcastDep
) -> LabelsOut:
    """Remove a label; 404 ``label_not_found`` when the conversation does not have it."""
    async with sessions.begin() as session:
        await _readable(session, agent, conversation_id)
        found = await labels.remove(session, agent=agent, conversation_id=conversation_id, label=label)
    await publish_queue(broadcast, {"type": "queue_changed", "conversation_id": conversation_id})
    return LabelsOut(conversation_id=conversation_id, labels=found)


@router.post("/conversations/{conversation_id}/viewing", status_code=204)
async def viewing(
    conversation_id: int, body: ViewingIn, agent: AgentDep, sessions: SessionsDep, broadcast: BroadcastDep
) -> None:
    """Tell the other consoles I am looking at this conversation (``on``) or left it (allowed after it
    was transferred away from me: leaving tells nothing)."""
    if body.on:
        async with sessions() as session:
            await _readable(session, agent, conversation_id)
    frame = {"type": "viewing", "conversation_id": conversation_id, "agent_id": agent.id,
             "agent_name": agent.name, "on": body.on}  # fmt: skip
    await publish_queue(broadcast, frame)
