"""A canned reply ready for one conversation: the text in its language, the variables filled.

The conversation's language picks the text (then Spanish, then whichever it has). ``{{nombre}}`` /
``{{customer_name}}`` is the contact's name, ``{{pedido}}`` / ``{{order_number}}`` the order number the bot
collected (Rasa's ``order_number`` slot, else the last order entity the customer gave), ``{{agente}}`` /
``{{agent_name}}`` the agent's name. A variable with no value stays as written and is listed in
``missing``: the console selects it for the agent to fill, and will not send it as raw braces.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.canned import PLACEHOLDER, VARIABLES, Scope
from handoff.models import Agent, CannedReply
from hub.models import Contact, Conversation, Message

__all__ = ["FilledReply", "fill", "values_for"]

_ORDER_SLOTS = ("order_number", "order_id")
_ORDER_ENTITIES = ("order_number", "order_id")
_FALLBACK_LANGUAGE = "es"


class FilledReply(BaseModel):
    id: int
    shortcut: str
    title: str
    scope: Scope
    language: str = Field(description="The language of the text chosen (the conversation's if it has one)")
    text: str = Field(description="Ready to insert; variables without a value stay as {{name}}")
    missing: list[str] = Field(description="Variables left unfilled, as written (e.g. ['pedido'])")


def _order_from_messages(messages: list[Message]) -> str | None:
    for message in reversed(messages):
        nlu = (message.context or {}).get("nlu") or {}
        for entity in nlu.get("entities") or []:
            if isinstance(entity, dict) and entity.get("entity") in _ORDER_ENTITIES and entity.get("value"):
                return str(entity["value"])
    return None


async def values_for(
    session: AsyncSession, *, conversation: Conversation, agent: Agent, slots: dict[str, Any]
) -> dict[str, str | None]:
    """What each variable is filled with in this conversation (None: nobody knows yet)."""
    contact = await session.get(Contact, conversation.contact_id)
    order = next((str(slots[k]) for k in _ORDER_SLOTS if slots.get(k)), None)
    if order is None:
        incoming = await session.execute(
            sa.select(Message)
            .where(Message.conversation_id == conversation.id, Message.message_type == "incoming")
            .order_by(Message.id)
        )
        order = _order_from_messages(list(incoming.scalars()))
    name = contact.name.strip() if contact is not None and contact.name else None
    return {"customer_name": name or None, "order_number": order, "agent_name": agent.name}


def _text_in(texts: dict[str, str], language: str) -> tuple[str, str]:
    for lang in (language, _FALLBACK_LANGUAGE):
        if texts.get(lang):
            return lang, texts[lang]
    lang = next(iter(texts))
    return lang, texts[lang]


def fill(reply: CannedReply, *, language: str, values: dict[str, str | None]) -> FilledReply:
    lang, text = _text_in(dict(reply.texts), language)
    missing: list[str] = []

    def put(match: Any) -> str:
        name = match.group(1)
        value = values.get(VARIABLES.get(name, ""))
        if value:
            return value
        if name not in missing:
            missing.append(name)
        return "{{" + name + "}}"

    filled = PLACEHOLDER.sub(put, text)
    return FilledReply(
        id=reply.id,
        shortcut=reply.shortcut,
        title=reply.title,
        scope="personal" if reply.owner_agent_id is not None else "shared",
        language=lang,
        text=filled,
        missing=missing,
    )
