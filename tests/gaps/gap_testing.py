"""Helpers for the knowledge-gap tests: unanswered questions written as the hub stores them (a customer's
message with the KB's decision on it, the agent's reply after it, the learning signals), and a running hub
with a supervisor, an admin and a plain agent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents
from hub.clock import utcnow
from hub.models import Contact, Conversation, Message
from learning.models import Kind, Signal, Strength
from tests.support.in_process_hub import InProcessHub

__all__ = ["DOGS", "WATER", "GapHub", "Turn", "store"]

#: Five ways customers asked the same thing the FAQ does not cover.
DOGS = [
    "¿Puedo entrar con mi perro en la tienda?",
    "¿Se admiten perros en la tienda?",
    "¿Puedo llevar a mi perro a la tienda?",
    "¿Dejáis entrar mascotas en la tienda?",
    "mi perro puede entrar conmigo a la tienda?",
]
#: Another question about dogs (water for them in the shop), which the same tree joins to DOGS higher up:
#: one topic of two pure clusters (5 + 2), the lead unticks this one.
WATER = ["¿hay agua para los perros en la tienda?", "¿tenéis cuencos de agua para perros en la tienda?"]
DOG_REPLY = "Sí, los perros pueden entrar en nuestras tiendas si van con correa."


class Turn:
    """One unanswered customer question: ``why`` handoff (KB decision), or a signal kind."""

    def __init__(
        self,
        text: str,
        *,
        why: str = "handoff",
        reply: str | None = None,
        lang: str = "es",
        days_ago: float = 1.0,
        label: str | None = None,
    ) -> None:
        self.text, self.why, self.reply, self.lang = text, why, reply, lang
        self.days_ago, self.label = days_ago, label


def _kb(decision: str, reason: str) -> dict[str, Any]:
    return {
        "kb": {"decision": decision, "reason": reason, "candidates": [{"id": "envio-plazo", "score": 0.8}]}
    }


async def store(session: AsyncSession, turns: list[Turn], now: datetime | None = None) -> list[int]:
    """Each turn in its own conversation; returns the customer messages' ids."""
    now = now or utcnow()
    ids = []
    for i, turn in enumerate(turns):
        at = now - timedelta(days=turn.days_ago)
        contact = Contact(name=f"Cliente {i}", created_at=at)
        session.add(contact)
        await session.flush()
        conversation = Conversation(
            contact_id=contact.id,
            channel="api",
            source_id=f"c-{contact.id}",
            language=turn.lang,
            created_at=at,
            status="open",
        )
        session.add(conversation)
        await session.flush()
        decision = "handoff" if turn.why == "handoff" else "answer"
        reason = (
            "no entry scored above the handoff threshold"
            if turn.why != "outage"
            else ("knowledge base unavailable: OSError: gone")
        )
        query = Message(
            conversation_id=conversation.id,
            contact_id=contact.id,
            channel="api",
            message_type="incoming",
            sender_type="contact",
            text=turn.text,
            status="received",
            language=turn.lang,
            context=_kb(decision if turn.why != "outage" else "handoff", reason),
            created_at=at,
        )
        session.add(query)
        await session.flush()
        kinds = [turn.why] if turn.why in ("not_helpful", "clarify_none", "no_faq") else []
        kinds += [turn.label] if turn.label else []
        for kind in kinds:
            session.add(
                Signal(
                    kind=kind,
                    strength=Strength.IMPLICIT if kind == Kind.CLARIFY_NONE else Strength.EXPLICIT,
                    conversation_id=conversation.id,
                    message_id=query.id,
                    contact_id=contact.id,
                    created_at=at,
                    text=turn.text,
                    language=turn.lang,
                    decision=decision,
                )
            )
        if turn.reply is not None:
            session.add(
                Message(
                    conversation_id=conversation.id,
                    contact_id=contact.id,
                    channel="api",
                    message_type="outgoing",
                    sender_type="agent",
                    text=turn.reply,
                    status="sent",
                    created_at=at + timedelta(minutes=2),
                )
            )
        ids.append(query.id)
    await session.commit()
    return ids


class GapHub(InProcessHub):
    def seed(self, turns: list[Turn]) -> list[int]:
        return self.db(lambda session: store(session, turns))

    def login(self, role: str) -> dict[str, str]:
        email = f"{role}@gaps.example"

        async def log_in(session: AsyncSession) -> str:
            if await agents.get_by_email(session, email=email) is None:
                await agents.create(
                    session,
                    email=email,
                    name=role.title(),
                    password="s3cret-pass",
                    languages=["es"],
                    role=role,
                )
            _agent, token = await agents.login(
                session, email=email, password="s3cret-pass", ttl=timedelta(hours=1)
            )
            return token

        return {"Authorization": f"Bearer {self.db(log_in)}"}

    def get(self, path: str, role: str = "supervisor", **kwargs: Any) -> Any:
        response = self.client.get(path, headers=self.login(role), **kwargs)
        assert response.status_code == 200, response.text
        return response.json()
