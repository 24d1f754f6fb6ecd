"""Supervisors see the whole desk, reassign any conversation and take one over (handoff/supervision.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import events


@dataclass
class Team:
    desk: Desk
    eva: dict[str, str]
    ben: dict[str, str]
    sara: dict[str, str]  # supervisor
    ids: dict[str, int]

    def call(self, method: str, path: str, who: dict[str, str], body: dict[str, Any] | None = None) -> Any:
        return self.desk.client.request(method, f"/api/v1/agent{path}", json=body, headers=who)


@pytest.fixture
def team(desk: Desk) -> Team:
    ids = {
        "eva": desk.add_agent("eva@tiendasol.example", name="Eva"),
        "ben": desk.add_agent("ben@tiendasol.example", name="Ben", languages="en"),
        "sara": desk.add_agent("sara@tiendasol.example", name="Sara", role="supervisor"),
    }
    return Team(
        desk,
        eva=desk.login("eva@tiendasol.example"),
        ben=desk.login("ben@tiendasol.example"),
        sara=desk.login("sara@tiendasol.example", online=False),
        ids=ids,
    )


def _claimed_by_eva(team: Team, source_id: str = "marta") -> int:
    conversation_id = team.desk.hand_off("quiero hablar con una persona", source_id=source_id, language="es")
    claimed = team.call("POST", f"/conversations/{conversation_id}/claim", team.eva)
    assert claimed.status_code == 200, claimed.text
    return conversation_id


def _joined_texts(desk: Desk, conversation_id: int) -> list[str]:
    return [m["text"] for m in desk.messages(conversation_id) if "se ha unido" in (m["text"] or "")]


def _events(desk: Desk, conversation_id: int, kind: str) -> list[dict[str, Any]]:
    async def run(session: AsyncSession) -> list[dict[str, Any]]:
        found = await events.list_for_conversation(session, conversation_id=conversation_id)
        return [e.data or {} for e in found if e.kind == kind]

    return desk.db(run)


def test_a_supervisor_reassigns_a_conversation_and_the_previous_agents_console_hears_it(team: Team) -> None:
    conversation_id = _claimed_by_eva(team)
    token = team.eva["Authorization"].split()[1]
    with team.desk.client.websocket_connect(f"/api/v1/agent/ws?token={token}") as eva_console:
        assert eva_console.receive_json()["type"] == "subscribed"
        moved = team.call(
            "POST", f"/conversations/{conversation_id}/reassign", team.sara, {"agent_id": team.ids["ben"]}
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["agent_id"] == team.ids["ben"] and moved.json()["state"] == "assigned"
        frame = eva_console.receive_json()
    assert frame["type"] == "reassigned"
    assert frame["conversation_id"] == conversation_id
    assert (frame["from_agent_id"], frame["to_agent_id"]) == (team.ids["eva"], team.ids["ben"])
    assert frame["to_agent_name"] == "Ben" and frame["by_agent_name"] == "Sara"

    # the customer hears who helps them now, once
    assert _joined_texts(team.desk, conversation_id) == [
        "Eva se ha unido a la conversación y te atiende ahora.",
        "Ben se ha unido a la conversación y te atiende ahora.",
    ]
    # Eva no longer has it, Ben does (past his languages: the supervisor decided)
    assert team.call("GET", "/queue", team.eva).json()["mine"] == []
    assert [e["conversation_id"] for e in team.call("GET", "/queue", team.ben).json()["mine"]] == [
        conversation_id
    ]
    refused = team.call("POST", f"/conversations/{conversation_id}/messages", team.eva, {"text": "hola"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_conversation"
    answered = team.call("POST", f"/conversations/{conversation_id}/messages", team.ben, {"text": "Hi!"})
    assert answered.status_code == 201, answered.text
    [logged] = _events(team.desk, conversation_id, "agent_reassigned")
    assert logged["from_agent_id"] == team.ids["eva"] and logged["to_agent_id"] == team.ids["ben"]
    assert logged["by_agent_id"] == team.ids["sara"] and logged["take_over"] is False


def test_a_supervisor_takes_over_a_waiting_conversation(team: Team) -> None:
    conversation_id = team.desk.hand_off("quiero hablar con una persona", source_id="luis", language="es")
    taken = team.call("POST", f"/conversations/{conversation_id}/take-over", team.sara)
    assert taken.status_code == 200, taken.text
    assert taken.json()["agent_id"] == team.ids["sara"]
    assert _joined_texts(team.desk, conversation_id) == [
        "Sara se ha unido a la conversación y te atiende ahora."
    ]
    assert team.call("GET", "/queue", team.eva).json()["waiting"] == []
    [logged] = _events(team.desk, conversation_id, "agent_reassigned")
    assert logged["from_agent_id"] is None and logged["take_over"] is True
    reply = team.call(
        "POST", f"/conversations/{conversation_id}/messages", team.sara, {"text": "Hola, soy Sara"}
    )
    assert reply.status_code == 201, reply.text


def test_a_supervisor_takes_over_from_an_agent(team: Team) -> None:
    conversation_id = _claimed_by_eva(team)
    taken = team.call("POST", f"/conversations/{conversation_id}/take-over", team.sara)
    assert taken.status_code == 200, taken.text
    assert team.call("GET", "/queue", team.sara).json()["mine"][0]["conversation_id"] == conversation_id
    assert _joined_texts(team.desk, conversation_id)[-1].startswith("Sara se ha unido")


def test_the_customer_hears_nothing_when_the_name_does_not_change(team: Team) -> None:
    other_eva = team.desk.add_agent("eva.r@tiendasol.example", name="Eva")
    team.desk.login("eva.r@tiendasol.example")
    conversation_id = _claimed_by_eva(team)
    before = len(team.desk.messages(conversation_id))
    moved = team.call(
        "POST", f"/conversations/{conversation_id}/reassign", team.sara, {"agent_id": other_eva}
    )
    assert moved.status_code == 200, moved.text
    assert len(team.desk.messages(conversation_id)) == before
    assert [e["agent_id"] for e in _events(team.desk, conversation_id, "agent_assigned")][-1] == other_eva


def test_only_supervisors_see_the_desk_reassign_or_take_over(team: Team) -> None:
    conversation_id = _claimed_by_eva(team)
    for method, path, body in (
        ("GET", "/supervision", None),
        ("POST", f"/conversations/{conversation_id}/reassign", {"agent_id": team.ids["eva"]}),
        ("POST", f"/conversations/{conversation_id}/take-over", None),
    ):
        refused = team.call(method, path, team.ben, body)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "supervisor_only"
    assert team.call("GET", "/queue", team.eva).json()["mine"][0]["conversation_id"] == conversation_id


def test_reassign_errors_say_what_is_wrong(team: Team) -> None:
    conversation_id = _claimed_by_eva(team)
    bot_only = team.desk.customer("hola", source_id="pablo")["conversation_id"]
    team.desk.wait_idle(bot_only)
    cases = [
        (f"/conversations/{conversation_id}/reassign", {"agent_id": 999}, 404, "agent_not_found"),
        ("/conversations/999/reassign", {"agent_id": team.ids["ben"]}, 404, "conversation_not_found"),
        (f"/conversations/{bot_only}/reassign", {"agent_id": team.ids["ben"]}, 409, "not_handed_off"),
        (
            f"/conversations/{conversation_id}/reassign",
            {"agent_id": team.ids["eva"]},
            409,
            "already_assigned",
        ),
        (f"/conversations/{conversation_id}/reassign", {"agent_id": "ben"}, 422, "invalid_request"),
    ]
    for path, body, status, code in cases:
        response = team.call("POST", path, team.sara, body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), path


def test_the_overview_shows_every_agents_load_and_the_longest_waits_first(team: Team) -> None:
    first = team.desk.hand_off("quiero hablar con una persona", source_id="primera", language="es")
    second = team.desk.hand_off("quiero hablar con una persona", source_id="segunda", language="es")
    mine = _claimed_by_eva(team, source_id="tercera")
    assert team.call("POST", f"/conversations/{mine}/messages", team.eva, {"text": "hola"}).status_code == 201
    overview = team.call("GET", "/supervision", team.sara)
    assert overview.status_code == 200, overview.text
    body = overview.json()
    eva = next(a for a in body["agents"] if a["id"] == team.ids["eva"])
    assert (eva["status"], eva["active_conversations"], eva["max_concurrent"]) == ("online", 1, 3)
    assert [e["conversation_id"] for e in body["waiting"]] == [first, second]  # the longest wait first
    assert body["waiting"][0]["waiting_seconds"] >= body["waiting"][1]["waiting_seconds"]
    assert [(e["conversation_id"], e["agent_id"]) for e in body["assigned"]] == [(mine, team.ids["eva"])]
    assert body["wait_alert_after"] == 300


def test_an_admin_may_do_what_a_supervisor_does(team: Team) -> None:
    team.desk.add_agent("ada@tiendasol.example", name="Ada", role="admin")
    ada = team.desk.login("ada@tiendasol.example", online=False)
    conversation_id = _claimed_by_eva(team)
    moved = team.call(
        "POST", f"/conversations/{conversation_id}/reassign", ada, {"agent_id": team.ids["ben"]}
    )
    assert moved.status_code == 200, moved.text
    assert team.call("GET", "/supervision", ada).status_code == 200
