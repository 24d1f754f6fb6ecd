"""Who may act on what: the one place that decides "may this agent act on this conversation".

An ``agent`` may read the context of, write notes to, and merge the contact of a conversation that is
assigned to them, or that waits in a queue they could claim (their languages and skills match the
handoff's, handoff/queue.py ``can_take``). A ``supervisor`` may do all of it for any conversation,
claims past language and skill, reassigns or takes over any conversation (handoff/supervision.py), and
exports or erases a contact's data (hub/privacy). An ``admin`` is a supervisor who also manages the
agents (handoff/team.py). Replying, transferring, resolving and handing back stay with the assigned agent
(handoff/desk.py ``assigned_to``).

Every check loads what it decides on in the caller's session and raises the API's errors: 404 when the
conversation or contact does not exist, 403 (Spanish and English) when it is not the agent's to touch.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import queue, requests
from handoff.errors import AdminOnly, ContactNotAllowed, ConversationNotAllowed, SupervisorOnly
from handoff.models import ADMIN, SUPERVISOR, Agent, Handoff
from hub.crud import conversations
from hub.errors import ContactNotFound, ConversationNotFound
from hub.models import Contact, Conversation

__all__ = [
    "contact_for",
    "conversation_for",
    "is_admin",
    "is_supervisor",
    "may_act",
    "may_claim",
    "may_read",
    "require_admin",
    "require_supervisor",
]


def is_supervisor(agent: Agent) -> bool:
    """A supervisor, or an admin (who may do everything a supervisor may)."""
    return agent.role in (SUPERVISOR, ADMIN)


def is_admin(agent: Agent) -> bool:
    return agent.role == ADMIN


def may_claim(agent: Agent, handoff: Handoff) -> bool:
    """Routing for a claim by id: the queue's rule (language and skill), which a supervisor may override."""
    return is_supervisor(agent) or queue.can_take(agent, handoff)


def may_act(agent: Agent, handoff: Handoff | None) -> bool:
    """``handoff`` is the conversation's live one (waiting or assigned), None when it has none."""
    if is_supervisor(agent):
        return True
    if handoff is None:
        return False
    if handoff.state == requests.ASSIGNED:
        return handoff.agent_id == agent.id
    return handoff.state == requests.WAITING and handoff.agent_id is None and queue.can_take(agent, handoff)


async def may_read(session: AsyncSession, *, agent: Agent, conversation_id: int) -> bool:
    """Reading a conversation's messages and stream (the hub's API): whom it may act on (above), or one
    the agent handled before (their own past conversations stay readable to them)."""
    if may_act(agent, await queue.current(session, conversation_id=conversation_id)):
        return True
    handled = await session.scalar(
        sa.select(Handoff.id)
        .where(Handoff.conversation_id == conversation_id, Handoff.agent_id == agent.id)
        .limit(1)
    )
    return handled is not None


async def conversation_for(session: AsyncSession, *, agent: Agent, conversation_id: int) -> Conversation:
    """The conversation if ``agent`` may act on it; 404 ``conversation_not_found``, 403
    ``conversation_not_allowed``."""
    conversation = await conversations.get(session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    if not may_act(agent, await queue.current(session, conversation_id=conversation_id)):
        raise ConversationNotAllowed(conversation_id)
    return conversation


async def contact_for(session: AsyncSession, *, agent: Agent, contact_id: int) -> Contact:
    """The contact if ``agent`` may act on one of its conversations; 404 ``contact_not_found`` (also a
    merged-away id), 403 ``contact_not_allowed``."""
    contact = await session.get(Contact, contact_id, populate_existing=True)
    if contact is None:
        raise ContactNotFound(contact_id)
    if is_supervisor(agent):
        return contact
    live = await session.scalars(
        sa.select(Handoff)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(Conversation.contact_id == contact_id, Handoff.state.in_(requests.ACTIVE))
    )
    if not any(may_act(agent, handoff) for handoff in live):
        raise ContactNotAllowed(contact_id)
    return contact


def require_supervisor(agent: Agent) -> None:
    """403 ``supervisor_only`` unless ``agent`` is a supervisor."""
    if not is_supervisor(agent):
        raise SupervisorOnly()


def require_admin(agent: Agent) -> None:
    """403 ``admin_only`` unless ``agent`` is an admin."""
    if not is_admin(agent):
        raise AdminOnly()
