"""Waiting without being dropped (issue 18, item 1): "¿Sigues ahí?" before a silent customer's wait ends,
an answer keeps the place, a closed widget that does not come back is a customer who left, WhatsApp
waits are never closed while the 24-hour window is open, and the cause is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.abandonment import Abandonment
from handoff.plugin import build_abandonment
from handoff.waiting import Facts, WaitingRule, parse_rule, verdict
from hub.crud import events
from hub.models import utcnow


def sweep_of(desk: Desk) -> Abandonment:
    return build_abandonment(desk.services, desk.handoff_settings)


def sweep(desk: Desk, at: datetime) -> int:
    abandonment = sweep_of(desk)
    return desk.call(lambda: abandonment.abandon_stale(now=at))


def abandoned(desk: Desk, conversation_id: int) -> list[dict[str, Any]]:
    async def run(session: AsyncSession) -> list[dict[str, Any]]:
        found = await events.list_for_conversation(session, conversation_id=conversation_id)
        return [dict(e.data or {}) for e in found if e.kind == "handoff_abandoned"]

    return desk.db(run)


def texts(desk: Desk, conversation_id: int) -> list[str]:
    return [m["text"] for m in desk.messages(conversation_id)]


def test_a_silent_customer_is_asked_if_still_there_before_the_wait_ends(desk: Desk) -> None:
    conversation_id = desk.hand_off(source_id="marta")
    window = timedelta(seconds=desk.handoff_settings.handoff_abandon_after)
    answer = timedelta(seconds=desk.handoff_settings.policy().waiting.answer_within)
    silent = utcnow() + window + timedelta(seconds=1)
    assert sweep(desk, silent) == 0  # asked, not dropped
    assert desk.conversation(conversation_id)["status"] == "open"
    assert texts(desk, conversation_id)[-1].startswith("¿Sigues ahí? Sigues en la cola")
    assert sweep(desk, silent + timedelta(seconds=30)) == 0  # asked once, waiting for the answer
    assert sum(t.startswith("¿Sigues ahí?") for t in texts(desk, conversation_id)) == 1
    assert sweep(desk, silent + answer + timedelta(seconds=1)) == 1
    assert desk.conversation(conversation_id)["status"] == "resolved"
    assert texts(desk, conversation_id)[-1].startswith("Como no hemos tenido respuesta, cerramos")  # told
    [data] = abandoned(desk, conversation_id)
    assert data["cause"] == "no_answer" and data["waited_seconds"] >= window.total_seconds()


def test_an_english_customer_is_asked_in_english(desk: Desk) -> None:
    conversation_id = desk.hand_off("I want to talk to a person please", source_id="john")
    sweep(desk, utcnow() + timedelta(seconds=desk.handoff_settings.handoff_abandon_after + 1))
    assert texts(desk, conversation_id)[-1].startswith("Are you still there?")


def test_an_answer_keeps_the_place_and_the_question_waits_for_a_new_silence(desk: Desk) -> None:
    conversation_id = desk.hand_off(source_id="marta")
    window = timedelta(seconds=desk.handoff_settings.handoff_abandon_after)
    answer = timedelta(seconds=desk.handoff_settings.policy().waiting.answer_within)
    sweep(desk, utcnow() + window + timedelta(seconds=1))
    desk.customer("sí, sigo aquí", source_id="marta")
    ack = desk.wait_until(
        lambda: next((t for t in texts(desk, conversation_id) if t.startswith("Gracias, mantienes")), None),
        "the answer acknowledged",
    )
    assert "Estás en la posición 1 de la cola." in ack
    # Counted from the answer: neither dropped nor asked again before a whole new silence.
    assert sweep(desk, utcnow() + answer + timedelta(seconds=1)) == 0
    assert desk.conversation(conversation_id)["status"] == "open"
    assert sum(t.startswith("¿Sigues ahí?") for t in texts(desk, conversation_id)) == 1
    desk.customer("¿hola?", source_id="marta")  # a second message: acknowledged once per question only
    desk.wait_idle(conversation_id)
    assert sum(t.startswith("Gracias, mantienes") for t in texts(desk, conversation_id)) == 1


def test_a_widget_closed_and_not_opened_again_ends_the_wait_as_widget_closed(desk: Desk) -> None:
    conversation_id = desk.hand_off(source_id="visitor")
    gone_after = timedelta(seconds=desk.handoff_settings.policy().waiting.widget_gone_after)

    async def closed_widget(session: AsyncSession) -> None:  # what hub/channels/widget_socket.py records
        await events.record(session, conversation_id=conversation_id, kind="widget_closed")

    async def as_widget(session: AsyncSession) -> None:
        from hub.models import Conversation

        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.channel = "widget"

    desk.db(as_widget)
    desk.db(closed_widget)
    assert sweep(desk, utcnow() + gone_after - timedelta(seconds=5)) == 0  # a reload, a short blip
    assert sweep(desk, utcnow() + gone_after + timedelta(seconds=1)) == 1
    [data] = abandoned(desk, conversation_id)
    assert data["cause"] == "widget_closed"


def test_when_an_agent_comes_online_every_waiting_customer_who_heard_nobody_hears_it_once(desk: Desk) -> None:
    first = desk.hand_off(source_id="first")
    second = desk.hand_off(source_id="second")
    english = desk.hand_off("I need a person please", source_id="john")
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    heard = "Ya hay una persona del equipo conectada."
    desk.wait_until(lambda: any(t.startswith(heard) for t in texts(desk, second)), "second told")
    assert [t for t in texts(desk, first) if t.startswith(heard)] == [
        "Ya hay una persona del equipo conectada. Estás en la posición 1 de la cola. "
        "Tiempo estimado de espera: unos 5 minutos."
    ]
    assert not any("Someone from our team" in t for t in texts(desk, english))  # Ana speaks Spanish only
    # Offline and online again: nobody hears it twice.
    desk.client.put("/api/v1/agent/me/status", json={"status": "offline"}, headers=headers)
    desk.client.put("/api/v1/agent/me/status", json={"status": "online"}, headers=headers)
    desk.wait_idle(first)
    assert sum(t.startswith(heard) for t in texts(desk, first)) == 1
    assert sum(t.startswith(heard) for t in texts(desk, second)) == 1


NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
RULE = WaitingRule(answer_within=600, widget_gone_after=900)
AFTER = timedelta(minutes=30)


def _wa(**kw: Any) -> Facts:
    return Facts(channel="whatsapp", requested_at=NOW - timedelta(hours=30), **kw)


H, M = timedelta(hours=1), timedelta(minutes=1)
ASKED_LATE = NOW + 23 * H + 50 * M  # "¿Sigues ahí?" 10 minutes before the window closes


@pytest.mark.parametrize(
    ("facts", "at", "expected"),
    [
        # WhatsApp: hours of silence inside the 24-hour window are normal, nothing asked or closed.
        (_wa(last_incoming=NOW), NOW + 23 * H, "wait"),
        # ... asked answer_within before the window closes (an answer opens it again) ...
        (_wa(last_incoming=NOW), NOW + 24 * H - 9 * M, "ask"),
        # ... and closed only once the window has closed without an answer.
        (_wa(last_incoming=NOW, asked_at=ASKED_LATE), NOW + 24 * H - M, "wait"),
        (_wa(last_incoming=NOW, asked_at=ASKED_LATE), NOW + 24 * H, "abandon"),
        # A Friday-night message, the desk open on Monday: the window closed meanwhile, agents decide.
        (_wa(last_incoming=NOW, held_until=NOW + 60 * H), NOW + 61 * H, "wait"),
        # The desk closed: nothing is asked or ended, whatever the silence.
        (Facts(channel="api", requested_at=NOW, desk_closed=True), NOW + 10 * H, "wait"),
        # Asked while closed: the silence counts from the opening they were told about.
        (Facts(channel="api", requested_at=NOW, held_until=NOW + 10 * H), NOW + 10 * H + 29 * M, "wait"),
        (Facts(channel="api", requested_at=NOW, held_until=NOW + 10 * H), NOW + 10 * H + 31 * M, "ask"),
        # The widget was closed, then the customer wrote: they are back.
        (
            Facts(channel="widget", requested_at=NOW, widget_closed_at=NOW, last_incoming=NOW + M),
            NOW + 20 * M,
            "wait",
        ),
    ],
)
def test_the_waiting_rule(facts: Facts, at: datetime, expected: str) -> None:
    assert verdict(facts, rule=RULE, after=AFTER, now=at).action == expected


def test_a_wrong_waiting_section_names_the_file_and_key() -> None:
    with pytest.raises(ValueError, match=r"^policy.yml: waiting.answer_within: expected a number of seconds"):
        parse_rule({"answer_within": 0}, source="policy.yml")
    with pytest.raises(ValueError, match=r"^policy.yml: waiting.ask_after: unknown key"):
        parse_rule({"ask_after": 5}, source="policy.yml")
    assert parse_rule({"answer_within": 120}, source="policy.yml") == WaitingRule(answer_within=120.0)
