"""Waiting customers are told again when they move up the queue substantially, once per change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Handoff
from handoff.plugin import build_abandonment, build_desk
from handoff.queue_notices import Rule, parse_rule
from hub.models import Message, utcnow


def moves(desk: Desk, conversation_id: int) -> list[str]:
    """The re-notices the customer got (not the first position message)."""
    return [
        m["text"]
        for m in desk.messages(conversation_id)
        if m["message_type"] == "activity"
        and (m["text"].startswith("Has avanzado") or m["text"].startswith("Ya te toca"))
    ]


def four_waiting(desk: Desk) -> tuple[dict[str, str], list[int]]:
    desk.add_agent("ana@x.example", max_concurrent=10)
    headers = desk.login("ana@x.example")
    return headers, [desk.hand_off(source_id=f"cust-{i}") for i in range(4)]


def claim_next(desk: Desk, headers: dict[str, str]) -> int:
    response = desk.client.post("/api/v1/agent/queue/claim", headers=headers)
    assert response.status_code == 200, response.text
    conversation_id: int = response.json()["conversation_id"]
    return conversation_id


def test_two_claims_ahead_tell_the_fourth_customer_once_with_the_new_wait(desk: Desk) -> None:
    headers, (first, second, third, fourth) = four_waiting(desk)
    assert "Estás en la posición 4 de la cola" in desk.messages(fourth)[-1]["text"]
    claim_next(desk, headers)
    assert moves(desk, fourth) == []  # 4 -> 3: a tiny move
    assert moves(desk, third) == []  # 3 -> 2
    assert moves(desk, second) == [
        "Ya te toca: eres la siguiente persona de la cola. Tiempo estimado de espera: unos 5 minutos."
    ]
    claim_next(desk, headers)
    assert moves(desk, fourth) == [
        "Has avanzado en la cola: ahora estás en la posición 2. Tiempo estimado de espera: unos 10 minutos."
    ]
    assert moves(desk, third) == [
        "Ya te toca: eres la siguiente persona de la cola. Tiempo estimado de espera: unos 5 minutos."
    ]
    assert len(moves(desk, second)) == 1  # claimed: an agent joined, nothing more about the queue
    assert moves(desk, first) == []


def test_the_rule_comes_from_the_policy_file(
    desk_with: Callable[..., AbstractContextManager[Desk]], tmp_path: Path
) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("queue_notices: {moved_up_by: 3, tell_when_next: false}\n")
    with desk_with(handoff_policy_path=path) as desk:
        headers, (_first, _second, third, fourth) = four_waiting(desk)
        before = {c: len(desk.messages(c)) for c in (third, fourth)}
        claim_next(desk, headers)
        claim_next(desk, headers)
        assert {c: len(desk.messages(c)) for c in (third, fourth)} == before  # 3 -> 1 and 4 -> 2


def test_a_customer_whose_agent_transferred_them_back_to_the_queue_is_not_told_again(desk: Desk) -> None:
    headers, (_first, _second, third, fourth) = four_waiting(desk)
    claimed = desk.client.post(f"/api/v1/agent/conversations/{fourth}/claim", headers=headers)
    assert claimed.status_code == 200, claimed.text
    moved = desk.client.post(
        f"/api/v1/agent/conversations/{fourth}/transfer", json={"team": "billing"}, headers=headers
    )
    assert (moved.status_code, moved.json()["state"]) == (200, "waiting")
    claim_next(desk, headers)
    claim_next(desk, headers)  # the fourth moves from 4 to 2, but Ana already joined it
    assert moves(desk, fourth) == []
    assert len(moves(desk, third)) == 1  # 3 -> 1: the others are still told


def test_concurrent_claims_tell_the_customer_once(any_db_desk: Desk) -> None:
    desk = any_db_desk
    luis = desk.add_agent("luis@x.example", max_concurrent=10)
    eva = desk.add_agent("eva@x.example", max_concurrent=10)
    waiting = [desk.hand_off(source_id=f"cust-{i}") for i in range(5)]

    async def both() -> None:
        commands = build_desk(desk.services, desk.handoff_settings)
        await asyncio.gather(commands.claim(agent_id=luis), commands.claim(agent_id=eva))

    desk.call(both)
    assert moves(desk, waiting[4]) == [
        "Has avanzado en la cola: ahora estás en la posición 3. "
        "Ahora no hay agentes conectados; te atenderá alguien en cuanto se conecte."
    ]
    assert len(moves(desk, waiting[2])) == 1  # 3 -> 1: "you are next", once


@pytest.mark.parametrize(
    ("told", "now", "rule", "expected"),
    [
        (4, 2, Rule(), True),
        (4, 3, Rule(), False),
        (2, 1, Rule(), True),
        (2, 1, Rule(tell_when_next=False), False),
        (3, 1, Rule(tell_when_next=False), True),
        (3, 4, Rule(), False),  # moved down (a complaint jumped ahead): not told
        (150, 148, Rule(), False),  # two places of 150: not news
        (150, 110, Rule(), True),
        (150, 148, Rule(moved_up_share=0), True),
        (None, 1, Rule(), True),  # queued while closed, never told a position
        (None, 3, Rule(), False),
    ],
)
def test_the_rule(told: int | None, now: int, rule: Rule, expected: bool) -> None:
    assert rule.holds(told=told, now=now) is expected


def test_a_wrong_queue_notices_section_names_the_file_and_key() -> None:
    with pytest.raises(ValueError, match=r"^policy.yml: queue_notices.moved_up_by: expected a whole number"):
        parse_rule({"moved_up_by": 0}, source="policy.yml")
    with pytest.raises(ValueError, match=r"^policy.yml: queue_notices.every: unknown key"):
        parse_rule({"every": 2}, source="policy.yml")
    with pytest.raises(ValueError, match=r"^policy.yml: queue_notices.moved_up_share: expected a number"):
        parse_rule({"moved_up_share": 2}, source="policy.yml")
    assert parse_rule({"moved_up_by": 3, "moved_up_share": 0}, source="policy.yml") == Rule(3, True, 0.0)


def test_customers_ahead_who_abandoned_move_the_others_up(desk: Desk) -> None:
    _headers, (first, second, third, fourth) = four_waiting(desk)
    long_ago = utcnow() - timedelta(hours=3)

    async def went_silent(session: AsyncSession) -> None:  # the first two asked hours ago and left
        for conversation_id in (first, second):
            await session.execute(
                sa.update(Handoff)
                .where(Handoff.conversation_id == conversation_id)
                .values(requested_at=long_ago)
            )
            await session.execute(
                sa.update(Message)
                .where(Message.conversation_id == conversation_id)
                .values(created_at=long_ago)
            )

    desk.db(went_silent)
    sweep = build_abandonment(desk.services, desk.handoff_settings)
    assert desk.call(lambda: sweep.abandon_stale()) == 0  # asked "¿Sigues ahí?" first
    unanswered = utcnow() + timedelta(seconds=desk.handoff_settings.policy().waiting.answer_within + 1)
    assert desk.call(lambda: sweep.abandon_stale(now=unanswered)) == 2
    assert moves(desk, fourth) == [
        "Has avanzado en la cola: ahora estás en la posición 2. Tiempo estimado de espera: unos 10 minutos."
    ]
    assert moves(desk, third) == [
        "Ya te toca: eres la siguiente persona de la cola. Tiempo estimado de espera: unos 5 minutos."
    ]
