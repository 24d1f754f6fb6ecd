"""Past capacity (hub/turns/backlog.py, hub/turns/sweep.py): customers who cannot be answered in time go to a
person at once; the others keep their places and hear, once, how long it will take."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from handoff.models import Handoff
from hub.models import Conversation, Event, Message, utcnow
from hub.schemas import IncomingMessage
from hub.turns import backlog, sweep
from hub.turns.deadlines import holding_text
from tests.support.clock import ManualClock
from tests.support.domain import Domain, domain_services


async def _queue(domain: Domain, customers: int, *, waited: float) -> list[int]:
    """One message from each of ``customers`` customers, stored and not yet taken, ``waited`` s old."""
    ids = []
    for n in range(customers):
        incoming = IncomingMessage(
            channel="api", source_id=f"c{n:03}", client_message_id=uuid.uuid4().hex, text="dnd esta mi pedido"
        )
        ids.append((await domain.services.receiver.receive(incoming)).message.id)
    async with domain.services.sessions.begin() as session:
        arrived = utcnow() - timedelta(seconds=waited)
        await session.execute(sa.update(Message).where(Message.id.in_(ids)).values(created_at=arrived))
    return ids


async def _answered_lately(domain: Domain, per_second: float, *, last: float) -> None:
    """Bot turns completed over the last 20 s, the newest ``last`` seconds ago."""
    now = utcnow()
    count = int(per_second * backlog.WINDOW)
    async with domain.services.sessions.begin() as session:
        conversation_id = (await session.execute(sa.select(Conversation.id).limit(1))).scalar_one()
        for n in range(count):
            at = now - timedelta(seconds=last + n * (backlog.WINDOW - last - 0.5) / max(count - 1, 1))
            session.add(Event(conversation_id=conversation_id, kind="bot_replied", created_at=at))


def _saturated(seconds: float = 30.0) -> backlog.Saturation:
    """Customers kept waiting at every sweep of the last ``seconds``."""
    saturation = backlog.Saturation()
    saturation.saw(now=time.monotonic() - seconds, oldest_wait=seconds)
    return saturation


def _handoffs(rows: list[Handoff]) -> dict[int, str]:
    return {h.conversation_id: h.reason for h in rows}


async def test_past_capacity_who_would_miss_the_deadline_goes_to_a_person_now(
    tmp_path: Path, clock: ManualClock
) -> None:
    # The hub's clock stands still (tests/support/clock.py): 0.5 s of margin is not eaten by a slow host.
    async with domain_services(tmp_path, bot_holding_after=4.0, bot_handoff_after=60.0) as domain:
        ids = await _queue(domain, 30, waited=39.5)
        await _answered_lately(domain, 1.0, last=1.0)  # Rasa answers one turn a second

        await sweep.sweep(domain.services.turn_deps(), _saturated())

        async with domain.services.sessions() as session:
            messages = {m.id: m for m in (await session.execute(sa.select(Message))).scalars()}
            handoffs = _handoffs(list((await session.execute(sa.select(Handoff))).scalars()))
        conversation_of = [messages[i].conversation_id for i in ids]
        # 39.5 s waited + 1 s a turn: the 20 oldest make the 60 s deadline, in order; the 10 newest cannot.
        assert [c for c in conversation_of if c in handoffs] == conversation_of[20:]
        assert set(handoffs.values()) == {"bot_busy"}
        assert [messages[i].bot_state for i in ids[:20]] == ["queued"] * 20
        told = [domain.said(c) for c in conversation_of]
        busy = "Ahora mismo nos escribe mucha gente y nuestro asistente"
        assert all(t[0].startswith(busy) for t in told[20:])
        # The ones still waiting hear once how long: the 1st in about 10 s, the 20th in about 20 s.
        assert told[0] == [holding_text("es", eta=1.0)] and "unos 10 segundos" in told[0][0]
        assert told[19] == [holding_text("es", eta=20.0)] and "unos 20 segundos" in told[19][0]

        await sweep.sweep(domain.services.turn_deps(), _saturated())  # a second tick: no second holding
        assert all(told.count(told[0]) <= 1 for c in conversation_of[:20] if (told := domain.said(c)))


async def test_when_rasa_stopped_answering_it_is_an_outage_not_a_queue(
    tmp_path: Path, clock: ManualClock
) -> None:
    async with domain_services(tmp_path, bot_holding_after=4.0, bot_handoff_after=60.0) as domain:
        ids = await _queue(domain, 30, waited=40.0)
        await _answered_lately(domain, 1.0, last=8.0)  # nothing answered in the last 8 s

        await sweep.sweep(domain.services.turn_deps(), _saturated())

        async with domain.services.sessions() as session:
            assert list((await session.execute(sa.select(Handoff))).scalars()) == []
            conversations = [m.conversation_id for m in (await session.execute(sa.select(Message))).scalars()]
        assert len(ids) == 30
        assert all(domain.said(c) == [holding_text("es")] for c in conversations)


async def test_a_small_queue_is_no_overload(tmp_path: Path, clock: ManualClock) -> None:
    async with domain_services(tmp_path, bot_holding_after=4.0, bot_handoff_after=60.0) as domain:
        ids = await _queue(domain, 3, waited=5.0)
        await _answered_lately(domain, 1.0, last=1.0)  # 3 queued < 4 s of answers

        await sweep.sweep(domain.services.turn_deps(), _saturated())

        async with domain.services.sessions() as session:
            conversations = [(await session.get(Message, i)).conversation_id for i in ids]  # type: ignore[union-attr]
        assert all(domain.said(c) == [holding_text("es")] for c in conversations)


def test_the_plan_frees_the_places_of_customers_handed_off() -> None:
    # Rate 1/s, deadline 10 s: c1 (waited 8) makes it, c2 (waited 9.5) would be answered 2nd -> late;
    # c2's second message leaves with it, so c3 is answered 2nd, in time.
    waits = [(1, 1, 8.0), (2, 2, 9.5), (3, 2, 9.0), (4, 3, 7.0)]
    plan = backlog.plan(waits, rate=1.0, holding_after=2.0, handoff_after=10.0)
    assert [(late.conversation_id, late.expected_wait) for late in plan.late] == [(2, 2.0)]
    assert plan.eta == {1: 1.0, 3: 2.0}


async def test_after_a_quiet_spell_a_burst_is_not_an_overload(tmp_path: Path) -> None:
    """Two answers in the last 20 s measure the arrivals, not what Rasa can do: a burst of 30 customers
    right after is held as usual, nobody is handed off for a queue that is not there."""
    async with domain_services(tmp_path, bot_holding_after=4.0, bot_handoff_after=60.0) as domain:
        await _queue(domain, 30, waited=5.0)
        await _answered_lately(domain, 0.1, last=1.0)
        quiet_until_now = backlog.Saturation()  # the sweep found nobody waiting until this tick

        await sweep.sweep(domain.services.turn_deps(), quiet_until_now)

        async with domain.services.sessions() as session:
            assert list((await session.execute(sa.select(Handoff))).scalars()) == []


def test_saturation_is_the_span_every_sweep_found_someone_waiting() -> None:
    saturation = backlog.Saturation()
    saturation.saw(now=100.0, oldest_wait=3.0)
    saturation.saw(now=101.0, oldest_wait=4.0)
    assert saturation.span(110.0) == 10.0
    saturation.saw(now=111.0, oldest_wait=0.5)  # answered as it came: capacity to spare
    assert saturation.span(112.0) == 0.0
    saturation.saw(now=113.0, oldest_wait=None)
    assert saturation.span(114.0) == 0.0
