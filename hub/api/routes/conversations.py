"""Reading a conversation and following it live: for agents and for the conversation's own customer.

Who may read is decided by hub.readers: an agent's bearer token (``?token=`` on the websocket,
where browsers cannot set headers) or, on the api channel, the customer's ``?source_id=``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, WebSocket

from hub import readers
from hub.api.deps import AgentsDep, BroadcastDep, HandoffsDep, OptionalTokenDep, SessionDep, SessionsDep
from hub.api.ws import pump_until_logout, refuse
from hub.crud import messages as messages_crud
from hub.delivery import conversation_topic
from hub.errors import HubError
from hub.models import Conversation
from hub.schemas import ConversationOut, MessageList, MessageOut

__all__ = ["router"]

router = APIRouter(prefix="/conversations", tags=["conversations"])

_SOURCE_ID = (
    "The customer's source_id on the api channel (the one its messages were posted with); "
    "agents send their bearer token instead."
)
_WS_TOKEN = "An agent's token from POST /api/v1/agent/login (browsers cannot set headers on a websocket)."
SourceIdQuery = Annotated[str | None, Query(min_length=1, max_length=200, description=_SOURCE_ID)]
_CREDENTIALS = (
    " Needs an agent's 'Authorization: Bearer <token>' or the customer's ?source_id= (api channel): "
    "otherwise 401 credentials_required, or 403 conversation_forbidden for another customer's source_id."
)


async def get_readable(
    conversation_id: int,
    session: SessionDep,
    agents: AgentsDep,
    token: OptionalTokenDep,
    source_id: SourceIdQuery = None,
) -> Conversation:
    return await readers.authorize(
        session, agents, conversation_id=conversation_id, token=token, source_id=source_id
    )


ReadableDep = Annotated[Conversation, Depends(get_readable)]
# The bearer token is one of two ways in: OpenAPI's empty requirement marks it optional.
_TOKEN_OR_SOURCE_ID: dict[str, Any] = {"security": [{}]}


@router.get(
    "/{conversation_id}",
    response_model=ConversationOut,
    description="The conversation." + _CREDENTIALS,
    openapi_extra=_TOKEN_OR_SOURCE_ID,
)
async def get_conversation(
    conversation: ReadableDep, session: SessionDep, handoffs: HandoffsDep
) -> ConversationOut:
    out = ConversationOut.of(conversation)
    out.handoff = await handoffs.latest(session, conversation_id=conversation.id)
    return out


@router.get(
    "/{conversation_id}/messages",
    response_model=MessageList,
    description="The conversation's messages oldest first (poll with after_id = the last id seen)."
    + _CREDENTIALS,
    openapi_extra=_TOKEN_OR_SOURCE_ID,
)
async def list_messages(
    conversation: ReadableDep,
    session: SessionDep,
    after_id: Annotated[int, Query(ge=0, description="Only messages with a greater id")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> MessageList:
    rows = await messages_crud.list_for_conversation(
        session, conversation_id=conversation.id, after_id=after_id, limit=limit
    )
    return MessageList(conversation_id=conversation.id, messages=[MessageOut.of(m) for m in rows])


@router.websocket("/{conversation_id}/ws")
async def conversation_ws(
    websocket: WebSocket,
    conversation_id: int,
    sessions: SessionsDep,
    broadcast: BroadcastDep,
    agents: AgentsDep,
    token: Annotated[str | None, Query(min_length=1, description=_WS_TOKEN)] = None,
    source_id: SourceIdQuery = None,
) -> None:
    """Frames: {"type": "message"|"typing"|"status", ...} for this conversation.

    ``?token=`` (an agent) or ``?source_id=`` (its api customer); otherwise closed with 4401
    (nothing or an expired token sent), 4403 (another customer's source_id) or 4404 (agents: no
    such conversation), each with a reason saying what to send.
    """
    try:
        async with sessions() as session:
            await readers.authorize(
                session,
                agents,
                conversation_id=conversation_id,
                token=token,
                source_id=source_id,
            )
    except HubError as exc:
        await refuse(websocket, exc)
        return
    await websocket.accept()
    watch = agents.logout_watch(token) if token else None
    async with broadcast.subscribe(conversation_topic(conversation_id)) as frames:
        await websocket.send_json({"type": "subscribed", "conversation_id": conversation_id})
        await pump_until_logout(websocket, frames, broadcast, watch)
