"""The queue: most urgent first then longest waiting, routed by language and skill; atomic claims."""

from __future__ import annotations

import asyncio

from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import queue
from handoff.errors import AlreadyClaimed, NothingToClaim
from handoff.models import Handoff
from handoff.plugin import build_desk


def queue_of(desk: Desk, headers: dict[str, str], everything: bool = False) -> list[dict[str, object]]:
    response = desk.client.get("/api/v1/agent/queue", params={"all": everything}, headers=headers)
    assert response.status_code == 200, response.text
    waiting: list[dict[str, object]] = response.json()["waiting"]
    return waiting


def test_complaints_jump_ahead_then_the_longest_waiting_come_first(desk: Desk) -> None:
    desk.add_agent("ana@x.example", languages="es,en")
    headers = desk.login("ana@x.example")
    first = desk.hand_off("quiero una persona", source_id="c1")
    second = desk.hand_off("hablar con una persona", source_id="c2")
    complaint = desk.hand_off("tengo una queja", source_id="c3")
    waiting = queue_of(desk, headers)
    assert [(w["conversation_id"], w["reason"], w["priority"]) for w in waiting] == [
        (complaint, "complaint", "high"),
        (first, "explicit_request", "normal"),
        (second, "explicit_request", "normal"),
    ]
    assert all(w["language"] == "es" and w["waiting_seconds"] >= 0 for w in waiting)
    claimed = desk.client.post("/api/v1/agent/queue/claim", headers=headers).json()
    assert claimed["conversation_id"] == complaint
    assert [w["conversation_id"] for w in queue_of(desk, headers)] == [first, second]


def test_agents_only_see_and_claim_conversations_in_their_languages_and_skills(desk: Desk) -> None:
    desk.add_agent("es@x.example", languages="es")
    desk.add_agent("en@x.example", languages="en")
    spanish = desk.login("es@x.example")
    english = desk.login("en@x.example")
    es_conv = desk.hand_off("quiero hablar con una persona", source_id="maria")
    en_conv = desk.hand_off("I want to talk to a person please", source_id="john")
    assert [w["conversation_id"] for w in queue_of(desk, spanish)] == [es_conv]
    assert [w["conversation_id"] for w in queue_of(desk, english)] == [en_conv]
    assert len(queue_of(desk, english, everything=True)) == 2
    assert desk.client.post("/api/v1/agent/queue/claim", headers=english).json()["conversation_id"] == en_conv
    empty = desk.client.post("/api/v1/agent/queue/claim", headers=english)
    assert (empty.status_code, empty.json()["error"]["code"]) == (404, "queue_empty")

    # A transfer to a team needs that skill.
    desk.client.post("/api/v1/agent/queue/claim", headers=spanish)
    desk.add_agent("billing@x.example", languages="es", skills="billing")
    billing = desk.login("billing@x.example")
    moved = desk.client.post(
        f"/api/v1/agent/conversations/{es_conv}/transfer", json={"team": "billing"}, headers=spanish
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["state"], moved.json()["skill"]) == ("waiting", "billing")
    assert queue_of(desk, spanish) == []
    assert [w["conversation_id"] for w in queue_of(desk, billing)] == [es_conv]


def test_a_full_agent_cannot_claim_more(desk: Desk) -> None:
    desk.add_agent("ana@x.example", max_concurrent=1)
    headers = desk.login("ana@x.example")
    desk.hand_off(source_id="c1")
    desk.hand_off(source_id="c2")
    assert desk.client.post("/api/v1/agent/queue/claim", headers=headers).status_code == 200
    full = desk.client.post("/api/v1/agent/queue/claim", headers=headers)
    assert (full.status_code, full.json()["error"]["code"]) == (409, "over_capacity")


def test_many_agents_claiming_at_once_never_get_the_same_conversation(any_db_desk: Desk) -> None:
    desk = any_db_desk
    conversations = [desk.hand_off(source_id=f"cust-{i}") for i in range(4)]
    agent_ids = [desk.add_agent(f"agent{i}@x.example", max_concurrent=1) for i in range(10)]

    async def everyone_claims() -> list[int | None]:
        async def one(agent_id: int) -> int | None:
            try:
                commands = build_desk(desk.services, desk.handoff_settings)
                return (await commands.claim(agent_id=agent_id)).conversation_id
            except NothingToClaim:
                return None

        return await asyncio.gather(*(one(a) for a in agent_ids))

    got = desk.call(everyone_claims)
    won = [c for c in got if c is not None]
    assert sorted(won) == sorted(conversations)  # each conversation exactly once
    assert got.count(None) == len(agent_ids) - len(conversations)

    async def owners(session: AsyncSession) -> dict[int, int | None]:
        rows = await session.execute(Handoff.__table__.select())
        return {r.conversation_id: r.agent_id for r in rows}

    assert len(set(desk.db(owners).values())) == len(conversations)


def test_agents_racing_for_the_same_conversation_one_wins(any_db_desk: Desk) -> None:
    desk = any_db_desk
    conversation_id = desk.hand_off(source_id="popular")
    agent_ids = [desk.add_agent(f"agent{i}@x.example") for i in range(8)]

    async def race() -> list[str]:
        async def one(agent_id: int) -> str:
            try:
                commands = build_desk(desk.services, desk.handoff_settings)
                await commands.claim(agent_id=agent_id, conversation_id=conversation_id)
                return "won"
            except AlreadyClaimed:
                return "lost"

        return await asyncio.gather(*(one(a) for a in agent_ids))

    results = desk.call(race)
    assert results.count("won") == 1 and results.count("lost") == 7
    joined = [m for m in desk.messages(conversation_id) if "se ha unido" in m["text"]]
    assert len(joined) == 1  # the customer is told once


def test_auto_assign_goes_round_robin_among_online_agents_with_room(auto_desk: Desk) -> None:
    desk = auto_desk
    ana = desk.add_agent("ana@x.example", name="Ana", max_concurrent=2)
    luis = desk.add_agent("luis@x.example", name="Luis", max_concurrent=1)
    desk.add_agent("eva@x.example", name="Eva")  # offline: never assigned
    desk.login("ana@x.example")
    desk.login("luis@x.example")

    def owner(conversation_id: int) -> int | None:
        async def run(session: AsyncSession) -> int | None:
            handoff = await queue.current(session, conversation_id=conversation_id)
            return handoff.agent_id if handoff else None

        return desk.wait_until(lambda: desk.db(run), f"conversation {conversation_id} assigned")

    owners = []
    for i in range(3):  # one after the other: each is assigned before the next arrives
        conversation_id = desk.hand_off(source_id=f"c{i}")
        owners.append(owner(conversation_id))
        third = conversation_id
    assert owners == [ana, luis, ana]
    assert desk.wait_until(
        lambda: desk.messages(third)[-1]["text"].startswith("Ana se ha unido"), "customer told who joined"
    )
    fourth = desk.hand_off(source_id="c4")  # everyone is full: it waits in the queue
    headers = desk.login("ana@x.example")
    waiting = desk.client.get("/api/v1/agent/queue", headers=headers).json()["waiting"]
    assert [w["conversation_id"] for w in waiting] == [fourth]
