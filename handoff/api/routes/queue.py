"""The queue: what is waiting (for me), and claiming the next conversation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from handoff import customer_facts, labels, queue
from handoff.api.deps import AgentDep, DeskDep
from handoff.schemas import QueueEntry, QueueOut
from hub.api.deps import SessionsDep
from hub.crud import conversations

__all__ = ["router"]

router = APIRouter(prefix="/queue", tags=["agent"])


@router.get("", response_model=QueueOut)
async def list_queue(
    agent: AgentDep,
    sessions: SessionsDep,
    everything: Annotated[
        bool, Query(alias="all", description="Also conversations for other languages/skills")
    ] = False,
) -> QueueOut:
    """Waiting conversations (priority, then waiting time) routed to my languages and skills, and mine."""
    async with sessions() as session:
        waiting = await queue.waiting(session, agent=None if everything else agent)
        mine = await queue.assigned_to(session, agent_id=agent.id)
        found = await labels.of_many(session, [i.conversation.id for i in [*waiting, *mine]])
        out = QueueOut(
            waiting=[QueueEntry.of(i.handoff, i.conversation) for i in waiting],
            mine=[QueueEntry.of(i.handoff, i.conversation) for i in mine],
        )
        await customer_facts.name_entries(session, [*out.waiting, *out.mine])
    for entry in [*out.waiting, *out.mine]:
        entry.labels = found.get(entry.conversation_id, [])
    return out


@router.post("/claim", response_model=QueueEntry)
async def claim_next(agent: AgentDep, desk: DeskDep, sessions: SessionsDep) -> QueueEntry:
    """Take the most urgent waiting conversation I can handle (404 ``queue_empty`` if none)."""
    handoff = await desk.claim(agent_id=agent.id)
    async with sessions() as session:
        conversation = await conversations.get(session, conversation_id=handoff.conversation_id)
    assert conversation is not None
    return QueueEntry.of(handoff, conversation)
