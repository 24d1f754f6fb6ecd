"""Who may read a conversation (messages, live stream): an agent whose business it is, or its customer.

An agent proves who they are with the bearer token from ``POST /api/v1/agent/login``, and the
:class:`hub.seams.AgentDirectory` the handoff package plugs in says which conversations are theirs to read
(handoff/permissions.py: assigned to them, waiting in a queue they could claim, handled by them before, or
any for a supervisor; others are 403 ``conversation_not_allowed``). The customer of an api-channel
conversation proves it with the conversation's ``source_id``, the same rule as
``WS /api/v1/channels/api/ws?source_id=`` (``hub.channels.api.is_customer``). Widget visitors read
through their socket.io session and WhatsApp customers on WhatsApp, so neither reads here. Conversation
ids are sequential: without one of the two, nothing is said, not even whether the conversation exists.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.channels.api import is_customer
from hub.crud import conversations
from hub.errors import (
    ConversationForbidden,
    ConversationNotAllowed,
    ConversationNotFound,
    CredentialsRequired,
    NotAuthenticated,
)
from hub.models import Conversation
from hub.seams import AgentDirectory

__all__ = ["authorize"]


async def authorize(
    session: AsyncSession,
    agents: AgentDirectory,
    *,
    conversation_id: int,
    token: str | None,
    source_id: str | None,
) -> Conversation:
    """The conversation if the agent ``token`` or the customer's ``source_id`` may read it.

    Raises NotAuthenticated (a token that is unknown or expired), CredentialsRequired (neither
    sent), ConversationForbidden (a source_id that is not the conversation's customer, or no such
    conversation: a customer learns nothing about other ids), ConversationNotFound (agents only).
    """
    if token:
        if not await agents.is_agent(session, token=token):
            raise NotAuthenticated()
        conversation = await conversations.get(session, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        if not await agents.may_read(session, token=token, conversation_id=conversation_id):
            raise ConversationNotAllowed(conversation_id)
        return conversation
    if source_id:
        conversation = await conversations.get(session, conversation_id=conversation_id)
        if conversation is None or not is_customer(conversation, source_id):
            raise ConversationForbidden(conversation_id)
        return conversation
    raise CredentialsRequired(conversation_id)
