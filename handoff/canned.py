"""Canned replies: texts agents insert by typing "/shortcut" in the console's reply box.

A reply is **shared** (``owner_agent_id`` None: every agent sees it; only supervisors and admins make,
change or delete it) or **personal** (its agent's own: only they see and change it). It has one text per
language (``es``, ``en``); the conversation's language picks the text (handoff/canned_fill.py), which may
hold the variables of :data:`VARIABLES`. No two shared replies share a shortcut, and an agent's personal
reply takes none a shared one or another of theirs has (a shared one made later may sit next to it).
"""

from __future__ import annotations

import re
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Agent, CannedReply
from hub.errors import HubError
from hub.language import LANGUAGES
from hub.models import utcnow
from hub.valid_text import StoredText

__all__ = [
    "MAX_PERSONAL",
    "MAX_SHARED",
    "MAX_TEXT",
    "VARIABLES",
    "CannedIn",
    "CannedNotFound",
    "CannedOut",
    "create",
    "delete",
    "may_manage_shared",
    "update",
    "visible",
]

#: Longest text of one language, and how many replies a desk keeps (a list past that is not scanned by eye).
MAX_TEXT = 2000
MAX_PERSONAL = 100
MAX_SHARED = 300

#: Variable names (as typed between ``{{ }}``, Spanish and English) -> what they are filled with.
VARIABLES = {
    "nombre": "customer_name", "customer_name": "customer_name",
    "pedido": "order_number", "order_number": "order_number",
    "agente": "agent_name", "agent_name": "agent_name",
}  # fmt: skip
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
_SHORTCUT = re.compile(r"^[\w-]{1,32}$")

Scope = Literal["shared", "personal"]


class CannedShortcutTaken(HubError):
    code = "canned_shortcut_taken"
    http_status = 409

    def __init__(self, shortcut: str) -> None:
        super().__init__(
            f"Ya hay una respuesta «/{shortcut}» que ves; elige otro atajo. / "
            f"There already is a reply '/{shortcut}' you can see; pick another shortcut."
        )


class CannedNotFound(HubError):
    code = "canned_not_found"
    http_status = 404

    def __init__(self, reply_id: int) -> None:
        super().__init__(
            f"No hay ninguna respuesta predefinida {reply_id} que puedas ver. / "
            f"No canned reply {reply_id} you can see; list them with GET /api/v1/agent/canned-replies."
        )


class CannedSharedOnly(HubError):
    code = "canned_shared_supervisors_only"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "Solo un supervisor o un administrador crea, cambia o borra las respuestas compartidas; las "
            "tuyas, créalas como personales. / Only a supervisor or an admin makes, changes or deletes "
            "shared replies; make yours personal (scope: personal)."
        )


class CannedLimit(HubError):
    code = "canned_limit"
    http_status = 409

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Ya hay {limit} respuestas de este tipo, el máximo; borra alguna antes. / "
            f"There are {limit} replies of this kind already, the maximum; delete one first."
        )


class CannedIn(BaseModel):
    """A canned reply as an agent writes it; ``{{nombre}}``, ``{{pedido}}``, ``{{agente}}`` (or
    ``{{customer_name}}``, ``{{order_number}}``, ``{{agent_name}}``) are filled when it is inserted."""

    shortcut: StoredText = Field(min_length=1, max_length=33, examples=["saludo"],
                                 description="Letters, digits, - and _; typed after '/'")
    title: StoredText = Field(min_length=1, max_length=80, examples=["Saludo"])
    texts: dict[str, StoredText] = Field(
        examples=[{"es": "Hola {{nombre}}, soy {{agente}}.", "en": "Hi {{customer_name}}!"}],
        description="Language (es, en) -> text, at most 2000 characters each; at least one",
    )
    scope: Scope = Field(default="personal", description="shared: every agent (supervisors only); personal")

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str) -> str:
        value = value.strip().removeprefix("/").lower()
        if not _SHORTCUT.match(value):
            raise ValueError("use 1-32 letters, digits, - or _ (no spaces), e.g. saludo or envio-islas")
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("write a title")
        return value.strip()

    @field_validator("texts")
    @classmethod
    def _texts(cls, value: dict[str, str]) -> dict[str, str]:
        texts = {lang: text.strip() for lang, text in value.items() if text.strip()}
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}; use {', '.join(LANGUAGES)}")
        if not texts:
            raise ValueError(f"write the text in at least one language ({', '.join(LANGUAGES)})")
        for lang, text in texts.items():
            if len(text) > MAX_TEXT:
                raise ValueError(f"the {lang} text has {len(text)} characters; at most {MAX_TEXT}")
            wrong = sorted({name for name in PLACEHOLDER.findall(text) if name not in VARIABLES})
            if wrong:
                raise ValueError(
                    f"unknown variable {', '.join('{{' + w + '}}' for w in wrong)} in the {lang} text; "
                    f"use {', '.join('{{' + v + '}}' for v in VARIABLES)}"
                )
        return texts


class CannedOut(BaseModel):
    id: int
    shortcut: str
    title: str
    texts: dict[str, str]
    scope: Scope
    editable: bool = Field(description="Whether I may change or delete it")

    @classmethod
    def of(cls, reply: CannedReply, agent: Agent) -> CannedOut:
        return cls(
            id=reply.id,
            shortcut=reply.shortcut,
            title=reply.title,
            texts=dict(reply.texts),
            scope="personal" if reply.owner_agent_id is not None else "shared",
            editable=_may_change(agent, reply),
        )


def may_manage_shared(agent: Agent) -> bool:
    return agent.role in ("supervisor", "admin")


def _may_change(agent: Agent, reply: CannedReply) -> bool:
    if reply.owner_agent_id is None:
        return may_manage_shared(agent)
    return reply.owner_agent_id == agent.id


def _seen_by(agent_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(CannedReply.owner_agent_id.is_(None), CannedReply.owner_agent_id == agent_id)


async def visible(session: AsyncSession, *, agent: Agent) -> list[CannedReply]:
    """The shared replies and the agent's own, by shortcut."""
    query = sa.select(CannedReply).where(_seen_by(agent.id)).order_by(CannedReply.shortcut, CannedReply.id)
    return list((await session.execute(query)).scalars())


async def _get(session: AsyncSession, agent: Agent, reply_id: int) -> CannedReply:
    reply = await session.get(CannedReply, reply_id)
    if reply is None or (reply.owner_agent_id is not None and reply.owner_agent_id != agent.id):
        raise CannedNotFound(reply_id)  # another agent's personal replies are not even there for me
    if not _may_change(agent, reply):
        raise CannedSharedOnly()
    return reply


async def _check(session: AsyncSession, *, owner: int | None, shortcut: str, skip: int | None) -> None:
    """The shortcut is free among what anyone who sees this reply sees; the owner is under the limit."""
    clash = sa.select(CannedReply.id).where(CannedReply.shortcut == shortcut)
    clash = clash.where(CannedReply.owner_agent_id.is_(None) if owner is None else _seen_by(owner))
    if skip is not None:
        clash = clash.where(CannedReply.id != skip)
    if await session.scalar(clash.limit(1)) is not None:
        raise CannedShortcutTaken(shortcut)
    if skip is None:
        mine = CannedReply.owner_agent_id.is_(None) if owner is None else CannedReply.owner_agent_id == owner
        count = await session.scalar(sa.select(sa.func.count()).select_from(CannedReply).where(mine))
        limit = MAX_SHARED if owner is None else MAX_PERSONAL
        if (count or 0) >= limit:
            raise CannedLimit(limit)


async def create(session: AsyncSession, *, agent: Agent, body: CannedIn) -> CannedReply:
    if body.scope == "shared" and not may_manage_shared(agent):
        raise CannedSharedOnly()
    owner = None if body.scope == "shared" else agent.id
    await _check(session, owner=owner, shortcut=body.shortcut, skip=None)
    reply = CannedReply(
        shortcut=body.shortcut, title=body.title, texts=body.texts, owner_agent_id=owner, created_by=agent.id
    )
    session.add(reply)
    await session.flush()
    return reply


async def update(session: AsyncSession, *, agent: Agent, reply_id: int, body: CannedIn) -> CannedReply:
    """Its shortcut, title and texts; the scope stays what it was (delete and make it again to move it)."""
    reply = await _get(session, agent, reply_id)
    await _check(session, owner=reply.owner_agent_id, shortcut=body.shortcut, skip=reply.id)
    reply.shortcut, reply.title, reply.texts = body.shortcut, body.title, body.texts
    reply.updated_at = utcnow()
    await session.flush()
    return reply


async def delete(session: AsyncSession, *, agent: Agent, reply_id: int) -> None:
    await session.delete(await _get(session, agent, reply_id))
