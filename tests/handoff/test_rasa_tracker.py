"""Rasa's tracker is paused on handoff and resumed on hand-back even when Rasa is down at that moment.

Issue 19, item 7: 43 of 44 pause events sent while Rasa was down were lost and only logged. They now
wait in the ``rasa_tracker_outbox`` (handoff/rasa_tracker.py) until Rasa accepts them, in order.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from handoff import agents
from handoff.models import RasaTrackerEvent
from hub.models import utcnow
from tests.support.domain import Domain, domain_services


def _hands_off_then_rasa_goes_down(domain: Domain) -> None:
    """The bot's answer asks for a person; right after it Rasa stops answering (tracker events fail)."""

    def reply(_text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
        domain.rasa.down = True
        return [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]

    domain.rasa.reply = reply


async def _unsent(domain: Domain) -> list[tuple[int, str, int]]:
    async with domain.services.sessions() as session:
        rows = await session.execute(
            sa.select(RasaTrackerEvent.conversation_id, RasaTrackerEvent.event, RasaTrackerEvent.attempts)
            .where(RasaTrackerEvent.sent_at.is_(None))
            .order_by(RasaTrackerEvent.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def _agent(domain: Domain) -> int:
    async with domain.services.sessions.begin() as session:
        agent = await agents.create(
            session, email="ana@x.example", name="Ana", password="pw-123456", languages=["es"]
        )
        await agents.set_status(session, agent=agent, status="online")
        return agent.id


async def test_a_pause_rasa_missed_is_sent_when_rasa_is_back(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        _hands_off_then_rasa_goes_down(domain)
        conversation_id = (await domain.customer("quiero hablar con una persona")).conversation.id
        assert domain.rasa.events == []
        [(cid, event, attempts)] = await _unsent(domain)
        assert (cid, event) == (conversation_id, "pause") and attempts == 1
        assert await domain.tracker.send_due() == 0  # not due again yet: backoff

        domain.rasa.down = False
        later = utcnow() + timedelta(minutes=2)
        assert await domain.tracker.send_due(now=later) == 1
        assert domain.rasa.events == [(str(conversation_id), "pause")]
        assert await _unsent(domain) == []
        assert await domain.tracker.send_due(now=later) == 0  # sent once


async def test_pause_and_resume_reach_rasa_in_their_order_after_an_outage(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        _hands_off_then_rasa_goes_down(domain)
        conversation_id = (await domain.customer("quiero hablar con una persona")).conversation.id
        ana = await _agent(domain)
        await domain.desk.claim(agent_id=ana, conversation_id=conversation_id)
        await domain.desk.hand_back(agent_id=ana, conversation_id=conversation_id)
        assert [e for _c, e, _a in await _unsent(domain)] == ["pause", "resume"]

        domain.rasa.down = False
        assert await domain.tracker.send_due(now=utcnow() + timedelta(minutes=2)) == 2
        assert domain.rasa.events == [(str(conversation_id), "pause"), (str(conversation_id), "resume")]


async def test_two_senders_at_once_send_each_event_once(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        _hands_off_then_rasa_goes_down(domain)
        ids = []
        for i in range(5):
            domain.rasa.down = False  # each customer's turn reaches Rasa; its pause does not
            ids.append((await domain.customer("una persona por favor", source_id=f"c{i}")).conversation.id)
        assert len(await _unsent(domain)) == 5
        domain.rasa.down = False
        later = utcnow() + timedelta(minutes=2)
        sent = await asyncio.gather(*(domain.tracker.send_due(now=later) for _ in range(3)))
        assert sum(sent) == 5
        assert sorted(domain.rasa.events) == sorted((str(i), "pause") for i in ids)


async def test_with_rasa_up_the_pause_is_sent_right_after_the_handoff(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        domain.rasa.reply = lambda _t, _m: [{"custom": {"handoff": {"reason": "complaint", "detail": {}}}}]
        conversation_id = (await domain.customer("quiero poner una queja")).conversation.id
        assert domain.rasa.events == [(str(conversation_id), "pause")]
        assert await _unsent(domain) == []
