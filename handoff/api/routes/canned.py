"""Canned replies: the agent's list (shared + personal), making and changing them, and the list filled
for one conversation (its language, its customer's name and order, my name: handoff/canned_fill.py)."""

from __future__ import annotations

from fastapi import APIRouter

from handoff import canned, canned_fill, context, permissions
from handoff.api.deps import AgentDep, TrackerDep
from handoff.canned import CannedIn, CannedOut
from handoff.canned_fill import FilledReply
from hub.api.deps import SessionsDep

__all__ = ["router"]

router = APIRouter(tags=["agent"])


@router.get("/canned-replies", response_model=list[CannedOut])
async def list_replies(agent: AgentDep, sessions: SessionsDep) -> list[CannedOut]:
    """The shared replies and my personal ones, by shortcut; ``editable`` says which I may change."""
    async with sessions() as session:
        return [CannedOut.of(r, agent) for r in await canned.visible(session, agent=agent)]


@router.post("/canned-replies", response_model=CannedOut, status_code=201)
async def create_reply(body: CannedIn, agent: AgentDep, sessions: SessionsDep) -> CannedOut:
    """A new reply: ``personal`` (mine) or ``shared`` (supervisors and admins; else 403
    ``canned_shared_supervisors_only``). 409 ``canned_shortcut_taken`` when I already see that shortcut,
    409 ``canned_limit`` past 100 personal / 300 shared; 422 for an unknown language or variable."""
    async with sessions.begin() as session:
        return CannedOut.of(await canned.create(session, agent=agent, body=body), agent)


@router.put("/canned-replies/{reply_id}", response_model=CannedOut)
async def update_reply(reply_id: int, body: CannedIn, agent: AgentDep, sessions: SessionsDep) -> CannedOut:
    """Change its shortcut, title and texts (its scope stays). 404 ``canned_not_found`` for another agent's
    personal reply, 403 ``canned_shared_supervisors_only`` for a shared one unless I am a supervisor."""
    async with sessions.begin() as session:
        return CannedOut.of(await canned.update(session, agent=agent, reply_id=reply_id, body=body), agent)


@router.delete("/canned-replies/{reply_id}", status_code=204)
async def delete_reply(reply_id: int, agent: AgentDep, sessions: SessionsDep) -> None:
    async with sessions.begin() as session:
        await canned.delete(session, agent=agent, reply_id=reply_id)


@router.get("/conversations/{conversation_id}/canned-replies", response_model=list[FilledReply])
async def filled_replies(
    conversation_id: int, agent: AgentDep, sessions: SessionsDep, tracker: TrackerDep
) -> list[FilledReply]:
    """My replies ready for this conversation: in its language, variables filled; those nobody knows
    yet stay ``{{name}}`` and are listed in ``missing`` (403 unless I may act on the conversation)."""
    async with sessions() as session:
        conversation = await permissions.conversation_for(
            session, agent=agent, conversation_id=conversation_id
        )
    slots = await context.rasa_slots(tracker, conversation_id)
    async with sessions() as session:
        values = await canned_fill.values_for(session, conversation=conversation, agent=agent, slots=slots)
        replies = await canned.visible(session, agent=agent)
    return [canned_fill.fill(r, language=conversation.language, values=values) for r in replies]
