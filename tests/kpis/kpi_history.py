"""A hand-built history of conversations, messages, handoffs and events, written straight to the hub's
database, whose KPIs are worked out by hand in tests/kpis/test_definitions.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.models import Handoff
from hub.db import create_engine, migrate
from hub.models import Contact, Conversation, Event, Message

__all__ = ["DAY", "History", "at", "database"]

DAY = datetime(2026, 12, 1, tzinfo=UTC)


def at(clock: str, day: datetime = DAY) -> datetime:
    """'10:00:02' on ``day`` (UTC)."""
    h, m, s = (int(x) for x in clock.split(":"))
    return day + timedelta(hours=h, minutes=m, seconds=s)


@asynccontextmanager
async def database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url)
    await migrate(engine)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


@dataclass
class History:
    session: AsyncSession

    async def conversation(self, channel: str, created: datetime, status: str = "pending") -> int:
        contact = Contact(created_at=created)
        self.session.add(contact)
        await self.session.flush()
        conversation = Conversation(
            contact_id=contact.id, channel=channel, source_id=f"s{contact.id}", status=status,
            created_at=created, updated_at=created,
        )  # fmt: skip
        self.session.add(conversation)
        await self.session.flush()
        return conversation.id

    async def message(
        self, cid: int, kind: str, when: datetime, *, sender: str = "contact", kb: str | None = None
    ) -> int:
        conversation = await self.session.get(Conversation, cid)
        assert conversation is not None
        message = Message(
            conversation_id=cid, contact_id=conversation.contact_id, channel=conversation.channel,
            message_type=kind, sender_type=sender, text="…", status="received", created_at=when,
            context={"kb": {"decision": kb}} if kb else None,
        )  # fmt: skip
        self.session.add(message)
        await self.session.flush()
        return message.id

    async def handoff(
        self, cid: int, reason: str, requested: datetime, *, claimed: datetime | None = None,
        agent_id: int | None = None, skill: str | None = None,
    ) -> int:  # fmt: skip
        handoff = Handoff(
            conversation_id=cid, reason=reason, requested_at=requested, claimed_at=claimed,
            agent_id=agent_id, skill=skill, state="assigned" if claimed else "waiting",
        )  # fmt: skip
        self.session.add(handoff)
        await self.session.flush()
        await self.event(cid, "bot_handoff", requested, reason=reason, handoff_id=handoff.id)
        if claimed is not None:
            await self.event(cid, "agent_assigned", claimed, agent_id=agent_id, handoff_id=handoff.id)
        return handoff.id

    async def event(self, cid: int, event: str, when: datetime, **data: Any) -> None:
        self.session.add(Event(conversation_id=cid, kind=event, data=data or None, created_at=when))
        await self.session.flush()


async def build(session: AsyncSession) -> dict[str, int]:
    """Four conversations on 2026-12-01 (and one the day before, outside the period)."""
    h = History(session)
    # A: widget, the bot alone: answered, clarified, resolved by the bot after silence; CSAT 5, NPS 10.
    a = await h.conversation("widget", at("10:00:00"), "resolved")
    await h.message(a, "incoming", at("10:00:00"), kb="answer")
    await h.message(a, "outgoing", at("10:00:02"), sender="bot")
    await h.message(a, "incoming", at("10:01:00"), kb="clarify")
    await h.message(a, "outgoing", at("10:01:04"), sender="bot")
    await h.event(a, "feedback_answered", at("10:00:10"), helpful=True)  # "¿Te ha servido?" -> Sí
    await h.event(a, "resolved", at("10:31:00"), by="bot", why="silence")
    await h.event(a, "survey_sent", at("10:31:00"), kind="csat")
    await h.event(a, "survey_answered", at("10:32:00"), kind="csat", score=5, human=False, agent_ids=[])
    await h.event(a, "survey_answered", at("10:33:00"), kind="nps", score=10, human=False)
    # B: WhatsApp complaint for billing: queued 120 s, agent 1 answers 180 s after the handoff, resolved
    # by the agent, reopened by the customer; CSAT 2 (human), NPS 3.
    b = await h.conversation("whatsapp", at("11:00:00"), "open")
    await h.message(b, "incoming", at("11:00:00"), kb="handoff")
    await h.message(b, "outgoing", at("11:00:01"), sender="bot")
    await h.handoff(b, "complaint", at("11:00:01"), claimed=at("11:02:01"), agent_id=1, skill="billing")
    await h.message(b, "activity", at("11:02:01"), sender="system")
    await h.message(b, "outgoing", at("11:03:01"), sender="agent")
    await h.event(b, "resolved", at("12:00:00"), by="agent")
    await h.event(b, "survey_sent", at("12:00:00"), kind="csat")
    await h.event(b, "survey_answered", at("12:01:00"), kind="csat", score=2, human=True, agent_ids=[1])
    await h.event(b, "survey_answered", at("12:02:00"), kind="nps", score=3, human=True)
    await h.event(b, "reopened", at("13:30:00"), by="customer")
    # C: widget, asked for a person, left the queue (abandoned), resolved as abandoned.
    c = await h.conversation("widget", at("12:00:00"), "resolved")
    await h.message(c, "incoming", at("12:00:00"))
    await h.message(c, "outgoing", at("12:00:03"), sender="bot")
    await h.event(c, "feedback_answered", at("12:00:02"), helpful=False)  # -> No
    await h.handoff(c, "explicit_request", at("12:00:03"))
    await h.event(c, "handoff_abandoned", at("12:10:03"), waited_seconds=600)
    await h.event(c, "resolved", at("12:10:03"), by="abandoned")
    # D: WhatsApp complaint straight to billing (no bot reply), claimed by agent 2 after 30 s, answered
    # after 60 s, still open.
    d = await h.conversation("whatsapp", at("13:00:00"), "open")
    await h.message(d, "incoming", at("13:00:00"))
    await h.handoff(d, "complaint", at("13:00:00"), claimed=at("13:00:30"), agent_id=2, skill="billing")
    await h.message(d, "outgoing", at("13:01:00"), sender="agent")
    # E: the day before: outside the period.
    e = await h.conversation("widget", at("23:00:00", DAY - timedelta(days=1)), "resolved")
    await h.message(e, "incoming", at("23:00:00", DAY - timedelta(days=1)))
    await h.event(e, "resolved", at("23:10:00", DAY - timedelta(days=1)), by="bot")
    return {"a": a, "b": b, "c": c, "d": d, "e": e}
