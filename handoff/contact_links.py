"""Suggested links for agents (issue 15, finding 2): shown in a conversation's context, confirmed
(the two contacts merged) or dismissed by an agent who may merge its contact (handoff/permissions.py).

A customer typed, or a page sent in ``identify``, an email or phone that another contact holds
(hub.contacts.suggestions). Nothing was merged: the agent looks at both and decides. Who decides is
who may merge the conversation's contact (handoff/permissions.py: the agent it is assigned to, one whose
queue it waits in, or a supervisor; else 403 ``conversation_not_allowed``), and only for a link of that
conversation's contact (404 ``link_not_found``); the decision is recorded with their id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import permissions
from handoff.models import Agent
from hub.bus import Database
from hub.contacts import merge, suggestions
from hub.models import Contact, ContactIdentity, ContactLink

__all__ = ["LinkContact", "LinkDecision", "LinkOut", "confirm", "dismiss", "shown"]


class LinkContact(BaseModel):
    id: int
    name: str | None
    channels: list[str] = Field(description="Channels of its identities, e.g. ['whatsapp']")


class LinkOut(BaseModel):
    id: int
    key: str = Field(description="email | phone")
    value: str = Field(description="The email or phone (normal form) both contacts have")
    contact_id: int = Field(description="The contact that was given the detail (typed, identify)")
    other_contact_id: int = Field(description="The contact that already held it")
    other_verified: bool = Field(description="The holder's detail is proven (its WhatsApp number)")
    state: str = Field(description="open | confirmed | dismissed")
    created_at: datetime
    contact: LinkContact = Field(description="The other contact, seen from this conversation")


class LinkDecision(BaseModel):
    link: LinkOut
    contact_id: int = Field(description="This conversation's contact afterwards (the survivor of a merge)")


async def _describe(session: AsyncSession, link: ContactLink, *, seen_from: int) -> LinkOut:
    other_id = link.other_contact_id if link.contact_id == seen_from else link.contact_id
    other = await session.get(Contact, other_id)
    channels = await session.scalars(
        sa.select(ContactIdentity.channel).where(ContactIdentity.contact_id == other_id).distinct()
    )
    return LinkOut(
        id=link.id,
        key=link.key,
        value=link.value,
        contact_id=link.contact_id,
        other_contact_id=link.other_contact_id,
        other_verified=link.other_verified,
        state=link.state,
        created_at=link.created_at,
        contact=LinkContact(id=other_id, name=other.name if other else None, channels=sorted(channels)),
    )


async def shown(session: AsyncSession, *, contact_id: int) -> list[dict[str, Any]]:
    """The contact's open suggestions, for the conversation's context (oldest first)."""
    links = await suggestions.open_links(session, contact_id=contact_id)
    return [(await _describe(session, link, seen_from=contact_id)).model_dump(mode="json") for link in links]


async def _contact_of_mine(db: Database, agent: Agent, conversation_id: int) -> int:
    """The conversation's contact, if the agent may merge it (handoff/permissions.py: assigned to them,
    waiting in a queue they could claim, or a supervisor); else 404/403."""
    async with db.sessions() as session:
        conversation = await permissions.conversation_for(
            session, agent=agent, conversation_id=conversation_id
        )
    return conversation.contact_id


async def _decided(db: Database, link_id: int, contact_id: int) -> LinkDecision:
    async with db.sessions() as session:
        link = await session.get(ContactLink, link_id)
        assert link is not None
        return LinkDecision(link=await _describe(session, link, seen_from=contact_id), contact_id=contact_id)


async def confirm(db: Database, *, agent: Agent, conversation_id: int, link_id: int) -> LinkDecision:
    """The agent says both are one person: merged (hub.contacts.merge), recorded with their id."""
    contact_id = await _contact_of_mine(db, agent, conversation_id)
    survivor = await merge.confirm(db, link_id=link_id, contact_id=contact_id, agent_id=agent.id)
    return await _decided(db, link_id, survivor)


async def dismiss(db: Database, *, agent: Agent, conversation_id: int, link_id: int) -> LinkDecision:
    """The agent says they are different people: the link is dismissed and not suggested again."""
    contact_id = await _contact_of_mine(db, agent, conversation_id)
    await suggestions.dismiss(db, link_id=link_id, contact_id=contact_id, agent_id=agent.id)
    return await _decided(db, link_id, contact_id)
