"""Helpers for contact tests: a customer with a conversation, and rows of a table."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.contacts import identities
from hub.crud import arrivals


async def customer(
    sessions: async_sessionmaker[AsyncSession], channel: str, source_id: str, *texts: str
) -> tuple[int, int]:
    """A contact known on (channel, source_id) with one conversation and these messages."""
    async with sessions.begin() as session:
        contact = await identities.get_or_create_by_identity(session, channel=channel, source_id=source_id)
        if channel == "whatsapp":  # what intake stores for a WhatsApp writer: the number, proven
            contact.phone, contact.phone_verified = source_id, True
        conversation = await arrivals.open_conversation(
            session, contact_id=contact.id, channel=channel, source_id=source_id, language="es"
        )
        for text in texts:
            await arrivals.insert_incoming(
                session,
                conversation=conversation,
                text=text,
                client_message_id=uuid.uuid4().hex,
                language="es",
                bot_state="done",
                context=None,
            )
        return contact.id, conversation.id


async def rows(sessions: async_sessionmaker[AsyncSession], model: Any, *where: Any) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(sa.select(model).where(*where).order_by(model.id))).scalars())
