"""Reading a conversation and following it live."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from hub.api.deps import SessionDep, WsServicesDep
from hub.api.ws import pump
from hub.crud import conversations, handoffs
from hub.crud import messages as messages_crud
from hub.errors import ConversationNotFound
from hub.outbox import conversation_topic
from hub.schemas import ConversationOut, MessageList, MessageOut

__all__ = ["router"]

router = APIRouter(prefix="/conversations", tags=["conversations"])


@router.get("/{conversation_id}", response_model=ConversationOut)
async def get_conversation(conversation_id: int, session: SessionDep) -> ConversationOut:
    conversation = await conversations.get(session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    requests = await handoffs.list_for_conversation(session, conversation_id=conversation_id)
    return ConversationOut.of(conversation, requests[-1] if requests else None)


@router.get("/{conversation_id}/messages", response_model=MessageList)
async def list_messages(
    conversation_id: int,
    session: SessionDep,
    after_id: Annotated[int, Query(ge=0, description="Only messages with a greater id")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> MessageList:
    """The conversation's messages oldest first (poll with after_id = the last id seen)."""
    if await conversations.get(session, conversation_id=conversation_id) is None:
        raise ConversationNotFound(conversation_id)
    rows = await messages_crud.list_for_conversation(
        session, conversation_id=conversation_id, after_id=after_id, limit=limit
    )
    return MessageList(conversation_id=conversation_id, messages=[MessageOut.of(m) for m in rows])


@router.websocket("/{conversation_id}/ws")
async def conversation_ws(websocket: WebSocket, conversation_id: int, services: WsServicesDep) -> None:
    """Frames: {"type": "message"|"typing"|"status", ...} for this conversation."""
    async with services.sessions() as session:
        exists = await conversations.get(session, conversation_id=conversation_id) is not None
    if not exists:
        await websocket.close(code=4404, reason=f"conversation {conversation_id} not found")
        return
    await websocket.accept()
    async with services.broadcast.subscribe(conversation_topic(conversation_id)) as frames:
        await websocket.send_json({"type": "subscribed", "conversation_id": conversation_id})
        await pump(websocket, frames)
