"""Contacts for agents: one person's identities, details and conversations; merging two by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import permissions
from handoff.api.deps import AgentDep
from hub.api.deps import DatabaseDep, SessionsDep
from hub.contacts import merge
from hub.errors import ContactNotFound
from hub.models import Contact, ContactIdentity, Conversation, Event
from hub.schemas import ConversationOut

__all__ = ["ContactOut", "MergeIn", "router"]

router = APIRouter(prefix="/contacts", tags=["agent"])


class IdentityOut(BaseModel):
    channel: str
    source_id: str
    verified: bool = Field(description="Its channel proves it (WhatsApp number, widget session, api key)")
    created_at: datetime


class ContactOut(BaseModel):
    id: int
    name: str | None
    email: str | None = Field(description="Lower-case")
    email_verified: bool = Field(description="False: typed or sent by a page (docs/security.md)")
    phone: str | None = Field(description="Digits with country code (E.164 without +)")
    phone_verified: bool = Field(description="True: the contact's WhatsApp number")
    created_at: datetime
    identities: list[IdentityOut] = Field(description="(channel, source_id) pairs of this person")
    conversations: list[ConversationOut] = Field(description="On every channel, oldest first")
    merges: list[dict[str, Any]] = Field(
        description="contact_merged events: surviving/merged ids, key (email|phone|manual), what moved"
    )


class MergeIn(BaseModel):
    other_contact_id: int = Field(description="The contact to merge with; the older of the two survives")


async def _view(session: AsyncSession, contact_id: int) -> ContactOut:
    contact = await session.get(Contact, contact_id, populate_existing=True)
    if contact is None:
        raise ContactNotFound(contact_id)
    identities = await session.scalars(
        sa.select(ContactIdentity)
        .where(ContactIdentity.contact_id == contact_id)
        .order_by(ContactIdentity.id)
    )
    conversations = await session.scalars(
        sa.select(Conversation).where(Conversation.contact_id == contact_id).order_by(Conversation.id)
    )
    merges = await session.scalars(
        sa.select(Event)
        .where(Event.contact_id == contact_id, Event.kind == merge.CONTACT_MERGED)
        .order_by(Event.id)
    )
    return ContactOut(
        id=contact.id,
        name=contact.name,
        email=contact.email,
        email_verified=contact.email_verified,
        phone=contact.phone,
        phone_verified=contact.phone_verified,
        created_at=contact.created_at,
        identities=[
            IdentityOut(
                channel=i.channel, source_id=i.source_id, verified=i.verified, created_at=i.created_at
            )
            for i in identities
        ],
        conversations=[ConversationOut.of(c) for c in conversations],
        merges=[{**(e.data or {}), "created_at": e.created_at.isoformat()} for e in merges],
    )


@router.get("/{contact_id}", response_model=ContactOut)
async def get_contact(contact_id: int, agent: AgentDep, sessions: SessionsDep) -> ContactOut:
    """The person: email, phone, identities on every channel, conversations and past merges (403
    ``contact_not_allowed`` unless one of its conversations is mine or waiting for me; a supervisor: any)."""
    async with sessions() as session:
        await permissions.contact_for(session, agent=agent, contact_id=contact_id)
        return await _view(session, contact_id)


@router.post("/{contact_id}/merge", response_model=ContactOut)
async def merge_contacts(
    contact_id: int, body: MergeIn, agent: AgentDep, db: DatabaseDep, sessions: SessionsDep
) -> ContactOut:
    """Merge two contacts known to be one person: the older survives (returned) with all identities,
    conversations and handoffs of both; the other id is gone afterwards. Event ``contact_merged``.

    The contact in the path must be one I may act on (one of its conversations is mine or waiting for
    me; a supervisor: any), else 403 ``contact_not_allowed``; the other is the one I say is the same
    person (the event records who merged)."""
    async with sessions() as session:
        await permissions.contact_for(session, agent=agent, contact_id=contact_id)
    survivor_id = await merge.merge_by_agent(
        db, contact_id=contact_id, other_contact_id=body.other_contact_id, agent_id=agent.id
    )
    async with sessions() as session:
        return await _view(session, survivor_id)
