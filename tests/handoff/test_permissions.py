"""Who may act on a conversation (handoff/permissions.py), route by route: the assigned agent, an agent
whose queue it waits in, another agent (403), a supervisor (any), and an id that does not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from handoff_testing import Desk
from starlette.websockets import WebSocketDisconnect


@dataclass
class Team:
    desk: Desk
    eva: dict[str, str]  # es: claims the conversation
    ben: dict[str, str]  # es: another agent
    john: dict[str, str]  # en only: cannot take a Spanish conversation
    sara: dict[str, str]  # supervisor, en only

    def get(self, path: str, who: dict[str, str]) -> Any:
        return self.desk.client.get(f"/api/v1/agent{path}", headers=who)

    def post(self, path: str, who: dict[str, str], body: dict[str, Any] | None = None) -> Any:
        return self.desk.client.post(f"/api/v1/agent{path}", json=body or {}, headers=who)


@pytest.fixture
def team(desk: Desk) -> Team:
    desk.add_agent("eva@tiendasol.example", languages="es")
    desk.add_agent("ben@tiendasol.example", languages="es")
    desk.add_agent("john@tiendasol.example", languages="en")
    desk.add_agent("sara@tiendasol.example", languages="en", role="supervisor")
    return Team(
        desk,
        eva=desk.login("eva@tiendasol.example", online=False),
        ben=desk.login("ben@tiendasol.example", online=False),
        john=desk.login("john@tiendasol.example", online=False),
        sara=desk.login("sara@tiendasol.example", online=False),
    )


def _claimed_by_eva(team: Team) -> int:
    conversation_id = team.desk.hand_off("quiero hablar con una persona", language="es")
    claimed = team.post(f"/conversations/{conversation_id}/claim", team.eva)
    assert claimed.status_code == 200, claimed.text
    return conversation_id


def _refused(response: Any, code: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert "supervisor" in error["message"] and " / " in error["message"]  # Spanish / English


def test_context_only_for_the_assigned_agent_or_a_supervisor(team: Team) -> None:
    conversation_id = _claimed_by_eva(team)
    path = f"/conversations/{conversation_id}/context"

    assert team.get(path, team.eva).status_code == 200
    _refused(team.get(path, team.ben), "conversation_not_allowed")
    supervisor = team.get(path, team.sara)
    assert supervisor.status_code == 200
    assert supervisor.json()["conversation"]["id"] == conversation_id
    missing = team.get("/conversations/999/context", team.eva)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "conversation_not_found")


def test_context_of_a_waiting_conversation_for_agents_who_could_claim_it(team: Team) -> None:
    conversation_id = team.desk.hand_off("quiero hablar con una persona", language="es")
    path = f"/conversations/{conversation_id}/context"

    assert team.get(path, team.ben).status_code == 200  # speaks Spanish: it waits in his queue
    _refused(team.get(path, team.john), "conversation_not_allowed")  # English only
    assert team.get(path, team.sara).status_code == 200


def test_context_of_a_conversation_the_bot_still_owns_is_for_supervisors(team: Team) -> None:
    receipt = team.desk.customer("hola", source_id="cli-bot")
    team.desk.wait_idle(receipt["conversation_id"])
    path = f"/conversations/{receipt['conversation_id']}/context"

    _refused(team.get(path, team.eva), "conversation_not_allowed")
    assert team.get(path, team.sara).status_code == 200


def test_notes_only_by_the_assigned_agent_or_a_supervisor(team: Team) -> None:
    conversation_id = _claimed_by_eva(team)
    path = f"/conversations/{conversation_id}/notes"

    assert team.post(path, team.eva, {"text": "cliente VIP"}).status_code == 201
    _refused(team.post(path, team.ben, {"text": "no es mía"}), "conversation_not_allowed")
    assert team.post(path, team.sara, {"text": "revisado"}).status_code == 201
    missing = team.post("/conversations/999/notes", team.eva, {"text": "x"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "conversation_not_found")
    transcript = team.get(f"/conversations/{conversation_id}/context", team.eva).json()["transcript"]
    assert [n["text"] for n in transcript[-1]["notes"]] == ["cliente VIP", "revisado"]


def test_a_contact_is_read_and_merged_only_through_a_conversation_one_may_act_on(team: Team) -> None:
    desk = team.desk
    older = desk.customer("hola", source_id="cli-old")
    desk.wait_idle(older["conversation_id"])
    conversation_id = _claimed_by_eva(team)
    contact_id = desk.conversation(conversation_id)["contact_id"]

    assert team.get(f"/contacts/{contact_id}", team.eva).status_code == 200
    _refused(team.get(f"/contacts/{contact_id}", team.ben), "contact_not_allowed")
    assert team.get(f"/contacts/{contact_id}", team.sara).status_code == 200
    missing = team.get("/contacts/999", team.eva)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "contact_not_found")

    merge = {"other_contact_id": older["contact_id"]}
    _refused(team.post(f"/contacts/{contact_id}/merge", team.ben, merge), "contact_not_allowed")
    # The older contact has no conversation Eva may act on: she merges from her customer's side.
    _refused(
        team.post(f"/contacts/{older['contact_id']}/merge", team.eva, {"other_contact_id": contact_id}),
        "contact_not_allowed",
    )
    merged = team.post(f"/contacts/{contact_id}/merge", team.eva, merge)
    assert merged.status_code == 200, merged.text
    assert merged.json()["id"] == older["contact_id"]
    assert team.post("/contacts/999/merge", team.eva, merge).status_code == 404


def test_a_supervisor_merges_any_two_contacts(team: Team) -> None:
    desk = team.desk
    one = desk.customer("hola", source_id="cli-a")
    two = desk.customer("buenas", source_id="cli-b")
    desk.wait_idle(one["conversation_id"])
    desk.wait_idle(two["conversation_id"])

    merge = {"other_contact_id": one["contact_id"]}
    merged = team.post(f"/contacts/{two['contact_id']}/merge", team.sara, merge)

    assert merged.status_code == 200, merged.text
    assert sorted(i["source_id"] for i in merged.json()["identities"]) == ["cli-a", "cli-b"]


def test_claiming_by_id_needs_the_language_and_skill_unless_a_supervisor(team: Team) -> None:
    conversation_id = team.desk.hand_off("quiero hablar con una persona", language="es")
    path = f"/conversations/{conversation_id}/claim"

    refused = team.post(path, team.john)
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "not_your_queue" and "'es'" in error["message"]
    assert team.get("/queue?all=true", team.eva).json()["waiting"][0]["conversation_id"] == conversation_id

    claimed = team.post(path, team.sara)  # a supervisor overrides the routing
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["agent_id"] == team.get("/me", team.sara).json()["id"]
    missing = team.post("/conversations/999/claim", team.eva)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "conversation_not_found")


def test_claiming_by_id_checks_the_skill_too(desk_with: Any) -> None:
    with desk_with() as desk:
        desk.add_agent("eva@tiendasol.example", languages="es", skills="orders")
        desk.add_agent("luis@tiendasol.example", languages="es", skills="billing")
        eva = desk.login("eva@tiendasol.example", online=False)
        luis = desk.login("luis@tiendasol.example", online=False)
        conversation_id = desk.hand_off("quiero hablar con una persona", language="es")
        transfer_to_orders(desk, conversation_id, eva)

        refused = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=luis)

        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "not_your_queue"
        assert "orders" in refused.json()["error"]["message"]


def transfer_to_orders(desk: Desk, conversation_id: int, agent: dict[str, str]) -> None:
    """Eva claims it and sends it to the orders team: it waits again, now needing that skill."""
    claimed = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    moved = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/transfer", json={"team": "orders"}, headers=agent
    )
    assert moved.status_code == 200, moved.text


def test_reading_a_conversations_messages_is_for_its_agent_its_queue_and_supervisors(team: Team) -> None:
    # Finding 13's last part: any logged-in agent could read any conversation through the hub's API.
    conversation_id = _claimed_by_eva(team)
    client = team.desk.client
    path = f"/api/v1/conversations/{conversation_id}/messages"

    assert client.get(path, headers=team.eva).status_code == 200
    _refused(client.get(path, headers=team.ben), "conversation_not_allowed")
    assert client.get(path, headers=team.sara).status_code == 200
    ben_token = team.ben["Authorization"].split()[1]
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/api/v1/conversations/{conversation_id}/ws?token={ben_token}") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 4403

    resolved = team.post(f"/conversations/{conversation_id}/resolve", team.eva)
    assert resolved.status_code == 200, resolved.text
    assert client.get(path, headers=team.eva).status_code == 200  # her own past conversation
    _refused(client.get(path, headers=team.ben), "conversation_not_allowed")
