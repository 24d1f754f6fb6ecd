"""An agent's work on one conversation: claim, context, reply, typing, note, transfer, resolve, hand back."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import context, permissions
from handoff.api.deps import AgentDep, DeskDep, TrackerDep
from handoff.desk import assigned_to
from handoff.models import Handoff
from handoff.schemas import NoteIn, NoteOut, QueueEntry, ReplyIn, TransferIn, TypingIn
from hub.api.deps import BroadcastDep, ChannelsDep, SessionsDep
from hub.crud import conversations
from hub.delivery import conversation_topic
from hub.errors import ConversationNotFound
from hub.schemas import ConversationOut, MessageOut

__all__ = ["router"]

router = APIRouter(prefix="/conversations", tags=["agent"])

log = logging.getLogger(__name__)


async def _entry(sessions: async_sessionmaker[AsyncSession], handoff: Handoff) -> QueueEntry:
    async with sessions() as session:
        conversation = await conversations.get(session, conversation_id=handoff.conversation_id)
    if conversation is None:
        raise ConversationNotFound(handoff.conversation_id)
    return QueueEntry.of(handoff, conversation)


@router.post("/{conversation_id}/claim", response_model=QueueEntry)
async def claim(
    conversation_id: int, agent: AgentDep, desk: DeskDep, sessions: SessionsDep
) -> QueueEntry:
    """Take this waiting conversation (409 ``already_claimed`` when another agent was faster; 403
    ``not_your_queue`` when it needs a language or skill I lack, unless I am a supervisor)."""
    return await _entry(
        sessions, await desk.claim(agent_id=agent.id, conversation_id=conversation_id)
    )


@router.get("/{conversation_id}/context")
async def get_context(
    conversation_id: int, agent: AgentDep, sessions: SessionsDep, tracker: TrackerDep
) -> dict[str, Any]:
    """Transcript (all the contact's conversations, any channel, with private notes); per customer
    turn the intent, confidence, ranking, entities, KB candidates and the bot's answer; slots,
    language, channel, handoff reason, a summary of what the customer wants and their sentiment.

    Only of a conversation assigned to me or waiting in a queue I can take (a supervisor: any);
    else 403 ``conversation_not_allowed``."""
    async with sessions() as session:
        await permissions.conversation_for(session, agent=agent, conversation_id=conversation_id)
    return await context.build(sessions=sessions, tracker=tracker, conversation_id=conversation_id)


@router.post("/{conversation_id}/messages", response_model=MessageOut, status_code=201)
async def reply(conversation_id: int, body: ReplyIn, agent: AgentDep, desk: DeskDep) -> MessageOut:
    """Answer the customer; delivered on their channel (403 unless the conversation is mine)."""
    message = await desk.reply(agent_id=agent.id, conversation_id=conversation_id, text=body.text)
    return MessageOut.of(message)


@router.post("/{conversation_id}/typing", status_code=204)
async def typing(
    conversation_id: int,
    body: TypingIn,
    agent: AgentDep,
    sessions: SessionsDep,
    broadcast: BroadcastDep,
    channels: ChannelsDep,
) -> None:
    """Show (``on: true``) or hide "typing…" to the customer while I write (403 unless mine).

    The widget gets its ``typing`` event; the conversation websocket a ``{"type": "typing", "on",
    "by": "agent"}`` frame. WhatsApp has no free-standing typing indicator (it goes out with a read
    receipt), so there this only reaches the conversation websocket.
    """
    async with sessions() as session:
        conversation, _handoff = await assigned_to(session, agent=agent, conversation_id=conversation_id)
    frame = {"type": "typing", "on": body.on, "by": "agent", "agent_id": agent.id}
    try:
        await broadcast.publish(conversation_topic(conversation_id), frame)
        channel = channels.get(conversation.channel)
        if channel is not None:
            await channel.send_typing(conversation, body.on)
    except Exception:
        # Typing is a courtesy: a failed signal must not look like a failed reply to the agent.
        log.exception("could not send the agent's typing", extra={"conversation_id": conversation_id})


@router.post("/{conversation_id}/notes", response_model=NoteOut, status_code=201)
async def add_note(conversation_id: int, body: NoteIn, agent: AgentDep, desk: DeskDep) -> NoteOut:
    """A private note for agents; never sent to the customer (403 ``conversation_not_allowed`` unless
    it is assigned to me or waiting in a queue I can take; a supervisor: any)."""
    note = await desk.add_note(agent_id=agent.id, conversation_id=conversation_id, text=body.text)
    return NoteOut.model_validate(note)


@router.post("/{conversation_id}/transfer", response_model=QueueEntry)
async def transfer(
    conversation_id: int, body: TransferIn, agent: AgentDep, desk: DeskDep, sessions: SessionsDep
) -> QueueEntry:
    """To another agent (theirs at once) or to a team (back to the queue for agents with that skill)."""
    handoff = await desk.transfer(
        agent_id=agent.id,
        conversation_id=conversation_id,
        to_agent_id=body.agent_id,
        team=body.team,
        note=body.note,
    )
    return await _entry(sessions, handoff)


@router.post("/{conversation_id}/resolve", response_model=ConversationOut)
async def resolve(conversation_id: int, agent: AgentDep, desk: DeskDep) -> ConversationOut:
    """Close it; the customer's next message starts a new conversation with the bot."""
    return ConversationOut.of(
        await desk.resolve(agent_id=agent.id, conversation_id=conversation_id)
    )


@router.post("/{conversation_id}/hand-back", response_model=ConversationOut)
async def hand_back(conversation_id: int, agent: AgentDep, desk: DeskDep) -> ConversationOut:
    """Give it back to the bot: Rasa resumes and answers the customer's next message."""
    conversation = await desk.hand_back(agent_id=agent.id, conversation_id=conversation_id)
    return ConversationOut.of(conversation)
