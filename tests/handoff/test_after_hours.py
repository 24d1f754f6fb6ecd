"""A handoff outside business hours: the customer hears when the team is back, leaves a message or an
email, and the conversation waits in the queue for the next opening (not abandoned overnight)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from handoff.models import Handoff
from handoff.plugin import build_abandonment
from handoff.settings import HandoffSettings
from hub.crud import events
from hub.models import Contact, Message
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.clock import ManualClock as Clock
from tests.support.in_process_hub import hub_settings

POLICY = """
business_hours:
  time_zone: Europe/Madrid
  week:
    monday: ["09:00-14:00", "16:00-20:00"]
    tuesday: ["09:00-14:00", "16:00-20:00"]
    wednesday: ["09:00-14:00", "16:00-20:00"]
    thursday: ["09:00-14:00", "16:00-20:00"]
    friday: ["09:00-15:00"]
  holidays:
    - {date: "12-25", name: Navidad}
"""

MONDAY_NIGHT = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 22:00 in Madrid
TUESDAY_OPENING = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Madrid
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Madrid, open


@pytest.fixture
def clock(clock: Clock) -> Clock:
    """The hub's clock (tests/conftest.py) on Monday night, while the desk is closed."""
    clock.now = MONDAY_NIGHT
    return clock


def _bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if "persona" in text.lower() or "person" in text.lower():
        return [
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}}
        ]
    return [{"text": f"echo: {text}"}]


@pytest.fixture
def hours_desk(database_url: str, tmp_path: Path, rasa: FakeRasa, clock: Clock) -> Iterator[Desk]:
    """A hub (SQLite and PostgreSQL) whose policy file has business hours (Madrid, Mon-Fri)."""
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    rasa.reply = _bot
    settings = hub_settings(database_url, tmp_path)
    app = create_app(
        settings,
        handoff_settings=HandoffSettings(handoff_policy_path=policy),
        rasa_transport=httpx.MockTransport(rasa.handle),
    )
    with TestClient(app) as client:
        yield Desk(client)


def handoff_of(desk: Desk, conversation_id: int) -> Handoff:
    async def run(session: AsyncSession) -> Handoff:
        return (
            await session.execute(sa.select(Handoff).where(Handoff.conversation_id == conversation_id))
        ).scalar_one()

    return desk.db(run)


def test_a_handoff_at_night_says_when_the_team_is_back_in_spanish(hours_desk: Desk) -> None:
    desk = hours_desk
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta")
    notice = desk.messages(conversation_id)[-1]
    assert notice["message_type"] == "activity"
    assert notice["text"] == (
        "Ahora nuestro equipo está cerrado. Volvemos mañana a las 9:00 (hora de Madrid). "
        "Puedes dejarnos tu mensaje aquí y una persona lo leerá en cuanto abramos, o escribir tu email "
        "y te contactaremos. Tu conversación sigue en la cola."
    )
    handoff = handoff_of(desk, conversation_id)
    assert handoff.state == "waiting"
    assert handoff.detail is not None
    assert (handoff.detail["closed"], handoff.detail["next_opening"]) == (True, TUESDAY_OPENING.isoformat())
    assert handoff.detail["intent"] == "human_handoff"  # the bot's evidence is kept


def test_a_handoff_on_friday_evening_in_english_names_the_day_of_the_opening(
    hours_desk: Desk, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Friday 17:00 in Madrid, closed at 15:00
    conversation_id = hours_desk.hand_off("I want to talk to a person please", source_id="john")
    assert hours_desk.messages(conversation_id)[-1]["text"] == (
        "Our team is closed now. We open again on Monday 30 November at 9:00 (Madrid time). "
        "You can leave your message here and a person will read it as soon as we open, or write your "
        "email address and we'll contact you. Your conversation stays in the queue."
    )


def test_on_a_holiday_the_customer_is_told_which_one(hours_desk: Desk, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)  # a Friday, Christmas
    conversation_id = hours_desk.hand_off("quiero hablar con una persona", source_id="marta")
    text = hours_desk.messages(conversation_id)[-1]["text"]
    assert text.startswith(
        "Hoy es festivo (Navidad) y nuestro equipo no está. Volvemos el lunes 28 de diciembre"
    )
    assert handoff_of(hours_desk, conversation_id).detail["holiday"] == "Navidad"  # type: ignore[index]


def test_during_business_hours_the_customer_gets_the_queue_position_as_usual(
    hours_desk: Desk, clock: Clock
) -> None:
    clock.now = MONDAY_MORNING
    conversation_id = hours_desk.hand_off("quiero hablar con una persona", source_id="marta")
    assert "Estás en la posición 1 de la cola." in hours_desk.messages(conversation_id)[-1]["text"]
    assert "closed" not in (handoff_of(hours_desk, conversation_id).detail or {})


def test_an_email_left_at_night_is_saved_on_the_contact_and_acknowledged_once(hours_desk: Desk) -> None:
    desk = hours_desk
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta")
    desk.customer("mi pedido A-1001 llegó roto", source_id="marta")
    desk.customer("escribidme a Marta.Lopez@Example.com por favor", source_id="marta")
    ack = (
        "Gracias, hemos guardado tu email marta.lopez@example.com; "
        "te escribiremos allí si no podemos atenderte aquí."
    )
    desk.wait_until(lambda: desk.messages(conversation_id)[-1]["text"] == ack, "email acknowledged")
    desk.customer("repito: marta.lopez@example.com", source_id="marta")
    desk.wait_idle(conversation_id)
    texts = [m["text"] for m in desk.messages(conversation_id)]
    assert texts.count(ack) == 1
    assert "mi pedido A-1001 llegó roto" in texts  # stored for the agent; the bot never saw it

    async def stored(session: AsyncSession) -> tuple[str | None, list[str]]:
        message = (
            (await session.execute(sa.select(Message).where(Message.conversation_id == conversation_id)))
            .scalars()
            .first()
        )
        assert message is not None
        contact = await session.get(Contact, message.contact_id)
        assert contact is not None
        kinds = [e.kind for e in await events.list_for_conversation(session, conversation_id=conversation_id)]
        return contact.email, kinds

    email, kinds = desk.db(stored)
    assert email == "marta.lopez@example.com"
    assert kinds.count("contact_email_left") == 1


def test_an_email_during_business_hours_is_just_a_message(hours_desk: Desk, clock: Clock) -> None:
    clock.now = MONDAY_MORNING
    conversation_id = hours_desk.hand_off("quiero hablar con una persona", source_id="marta")
    hours_desk.customer("mi email es marta@example.com", source_id="marta")
    messages = hours_desk.wait_idle(conversation_id)
    assert not any(m["text"].startswith("Gracias, hemos guardado tu email") for m in messages)


def test_the_night_queue_is_there_for_the_first_agent_in_the_morning(hours_desk: Desk, clock: Clock) -> None:
    desk = hours_desk
    first = desk.hand_off("quiero hablar con una persona", source_id="marta")
    second = desk.hand_off("con una persona, por favor", source_id="luis")
    clock.now = TUESDAY_OPENING
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    waiting = desk.client.get("/api/v1/agent/queue", headers=headers).json()["waiting"]
    assert [(w["conversation_id"], w["state"]) for w in waiting] == [(first, "waiting"), (second, "waiting")]
    assert all(isinstance(w["waiting_seconds"], int | float) and w["waiting_seconds"] >= 0 for w in waiting)
    claimed = desk.client.post("/api/v1/agent/queue/claim", headers=headers)
    assert claimed.json()["conversation_id"] == first


def test_the_sweep_asks_only_after_the_opening_plus_the_window(hours_desk: Desk) -> None:
    desk = hours_desk
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta")

    async def asked_at_night(session: AsyncSession) -> None:  # the customer wrote at 22:00
        await session.execute(sa.update(Handoff).values(requested_at=MONDAY_NIGHT))
        await session.execute(sa.update(Message).values(created_at=MONDAY_NIGHT))

    desk.db(asked_at_night)
    window = timedelta(seconds=desk.handoff_settings.handoff_abandon_after)
    sweep = build_abandonment(desk.services, desk.handoff_settings)
    for now in (MONDAY_NIGHT + window * 2, TUESDAY_OPENING + window - timedelta(seconds=1)):
        assert desk.call(lambda now=now: sweep.abandon_stale(now=now)) == 0  # type: ignore[misc]
    assert handoff_of(desk, conversation_id).state == "waiting"
    later = TUESDAY_OPENING + window + timedelta(seconds=1)
    assert desk.call(lambda: sweep.abandon_stale(now=later)) == 0  # "¿Sigues ahí?" first
    assert desk.messages(conversation_id)[-1]["text"].startswith("¿Sigues ahí?")
    unanswered = later + timedelta(seconds=desk.handoff_settings.policy().waiting.answer_within + 1)
    assert desk.call(lambda: sweep.abandon_stale(now=unanswered)) == 1
    assert handoff_of(desk, conversation_id).state == "abandoned"


def test_a_customer_waiting_when_the_desk_closes_is_not_dropped_overnight(
    hours_desk: Desk, clock: Clock
) -> None:
    """Asked at 19:50 (open, nobody online: "someone will answer as soon as they connect"), the desk
    closes at 20:00: nothing is asked or closed overnight; the silence counts from the 09:00 opening."""
    desk = hours_desk
    evening = datetime(2026, 11, 23, 18, 50, tzinfo=UTC)  # 19:50 in Madrid
    clock.now = evening
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta")
    assert "te atenderá alguien en cuanto se conecte" in desk.messages(conversation_id)[-1]["text"]
    window = timedelta(seconds=desk.handoff_settings.handoff_abandon_after)
    sweep = build_abandonment(desk.services, desk.handoff_settings)
    for now in (
        MONDAY_NIGHT,
        MONDAY_NIGHT + timedelta(hours=6),
        TUESDAY_OPENING + window - timedelta(seconds=5),
    ):
        assert desk.call(lambda now=now: sweep.abandon_stale(now=now)) == 0  # type: ignore[misc]
    assert not any(m["text"].startswith("¿Sigues ahí?") for m in desk.messages(conversation_id))
    assert handoff_of(desk, conversation_id).state == "waiting"


def test_an_agent_online_while_closed_does_not_contradict_the_opening_time(
    hours_desk: Desk, clock: Clock
) -> None:
    """Told "Our team is closed now. We open again on Monday…", the customer does not hear "Someone from
    our team is online now" when an agent logs in on Friday night; the first agent online once the desk
    is open tells them, once."""
    from handoff.queue_notices import QueueNotices

    desk = hours_desk
    clock.now = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)  # Friday 22:00 in Madrid, closed
    conversation_id = desk.hand_off("I want to talk to a person please", source_id="john")
    agent_id = desk.add_agent("kate@x.example", languages="es,en")
    headers = desk.login("kate@x.example")
    notices = QueueNotices(
        sessions=desk.services.sessions, settings=desk.handoff_settings, delivery=desk.services.delivery
    )
    assert desk.call(lambda: notices.agent_online(agent_id=agent_id)) == 0
    online = "Someone from our team is online now."
    assert not any(m["text"].startswith(online) for m in desk.messages(conversation_id))
    assert desk.messages(conversation_id)[-1]["text"].startswith("Our team is closed now.")
    clock.now = datetime(2026, 11, 30, 8, 5, tzinfo=UTC)  # Monday 9:05 in Madrid, open
    headers = desk.login("kate@x.example", online=False)  # a new day, a new login (the old one expired)
    for status in ("offline", "online"):
        desk.client.put("/api/v1/agent/me/status", json={"status": status}, headers=headers)
    desk.wait_until(
        lambda: any(m["text"].startswith(online) for m in desk.messages(conversation_id)), "told at opening"
    )
    assert desk.call(lambda: notices.agent_online(agent_id=agent_id)) == 0  # once
    assert sum(m["text"].startswith(online) for m in desk.messages(conversation_id)) == 1
