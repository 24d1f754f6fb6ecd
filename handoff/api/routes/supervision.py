"""Supervisors' view and commands (handoff/supervision.py): everyone's status and load, the longest
waits, every conversation in progress; reassign or take over any conversation.

For supervisors and admins only (403 ``supervisor_only``).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from handoff import agents, customer_facts, permissions, queue
from handoff.api.deps import AgentDep, HandoffSettingsDep, SupervisionDep
from handoff.schemas import AgentOut, QueueEntry, ReassignIn
from hub.api.deps import SessionsDep

__all__ = ["OverviewOut", "router"]

router = APIRouter(tags=["agent"])


class OverviewOut(BaseModel):
    agents: list[AgentOut] = Field(description="Every enabled agent: status, load and capacity")
    waiting: list[QueueEntry] = Field(description="Everything waiting, the longest wait first")
    assigned: list[QueueEntry] = Field(description="Every conversation an agent handles, held longest first")
    wait_alert_after: float = Field(
        description="HANDOFF_WAIT_ALERT_AFTER: waits longer than this many seconds are alerted (0: off)"
    )


@router.get("/supervision", response_model=OverviewOut)
async def overview(agent: AgentDep, sessions: SessionsDep, settings: HandoffSettingsDep) -> OverviewOut:
    """The whole desk at a glance (supervisors)."""
    permissions.require_supervisor(agent)
    async with sessions() as session:
        team = [a for a in await agents.list_all(session) if a.disabled_at is None]
        loads = await queue.loads(session)
        waiting = await queue.waiting(session)
        assigned = await queue.all_assigned(session)
        entries = [QueueEntry.of(i.handoff, i.conversation) for i in waiting]
        held = [QueueEntry.of(i.handoff, i.conversation) for i in assigned]
        await customer_facts.name_entries(session, [*entries, *held])
    return OverviewOut(
        agents=[AgentOut.of(a, loads.get(a.id, 0)) for a in team],
        waiting=sorted(entries, key=lambda e: -e.waiting_seconds),
        assigned=held,
        wait_alert_after=settings.handoff_wait_alert_after,
    )


@router.post("/conversations/{conversation_id}/reassign", response_model=QueueEntry)
async def reassign(
    conversation_id: int, body: ReassignIn, agent: AgentDep, supervision: SupervisionDep
) -> QueueEntry:
    """Give a waiting or assigned conversation to this agent now (supervisors), past language, skill
    and capacity. 404 ``conversation_not_found`` / ``agent_not_found``; 409 ``not_handed_off``,
    ``already_assigned``, ``agent_unavailable``."""
    done = await supervision.reassign(
        supervisor_id=agent.id, conversation_id=conversation_id, to_agent_id=body.agent_id
    )
    return await supervision.entry(done.handoff)


@router.post("/conversations/{conversation_id}/take-over", response_model=QueueEntry)
async def take_over(conversation_id: int, agent: AgentDep, supervision: SupervisionDep) -> QueueEntry:
    """The supervisor takes the conversation themselves (from the queue or from another agent)."""
    done = await supervision.reassign(
        supervisor_id=agent.id, conversation_id=conversation_id, to_agent_id=agent.id
    )
    return await supervision.entry(done.handoff)
