"""An agent who logs out or goes offline gives back what nobody answered yet (handoff/release.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from hub.crud import events

EVA = "eva@tiendasol.example"


def _agent(desk: Desk, path: str, who: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    response = desk.client.request(
        "POST" if body is None else "PUT", f"/api/v1/agent{path}", json=body, headers=who
    )
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.status_code != 204 else None


def _two_claimed_one_answered(desk: Desk, eva: dict[str, str]) -> tuple[int, int]:
    answered = desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
    unanswered = desk.hand_off("quiero hablar con una persona", source_id="luis", language="es")
    for conversation_id in (answered, unanswered):
        _agent(desk, f"/conversations/{conversation_id}/claim", eva)
    reply = desk.client.post(
        f"/api/v1/agent/conversations/{answered}/messages", json={"text": "Hola"}, headers=eva
    )
    assert reply.status_code == 201, reply.text
    return answered, unanswered


def _released(desk: Desk, conversation_id: int) -> list[dict[str, Any]]:
    async def run(session: AsyncSession) -> list[dict[str, Any]]:
        found = await events.list_for_conversation(session, conversation_id=conversation_id)
        return [e.data or {} for e in found if e.kind == "agent_released"]

    return desk.db(run)


def _state(desk: Desk, who: dict[str, str]) -> dict[str, list[int]]:
    queue = desk.client.get("/api/v1/agent/queue", params={"all": "true"}, headers=who).json()
    return {name: [e["conversation_id"] for e in queue[name]] for name in ("waiting", "mine")}


def test_logging_out_returns_the_unanswered_conversations_to_the_queue(desk: Desk) -> None:
    eva_id = desk.add_agent(EVA, name="Eva")
    desk.add_agent("sara@tiendasol.example", name="Sara", role="supervisor")
    sara = desk.login("sara@tiendasol.example", online=False)
    eva = desk.login(EVA)
    answered, unanswered = _two_claimed_one_answered(desk, eva)

    assert desk.client.post("/api/v1/agent/logout", headers=eva).status_code == 204

    assert _state(desk, sara)["waiting"] == [unanswered]
    overview = desk.client.get("/api/v1/agent/supervision", headers=sara).json()
    assert [(e["conversation_id"], e["agent_id"]) for e in overview["assigned"]] == [(answered, eva_id)]
    told = desk.messages(unanswered)[-1]
    assert told["message_type"] == "activity"
    assert told["text"].startswith("Eva ha tenido que salir; te atenderá otra persona del equipo.")
    assert "Estás en la posición 1 de la cola." in told["text"]
    assert "Ahora no hay agentes conectados" in told["text"]  # the truth: Eva was the only one online
    [released] = _released(desk, unanswered)
    assert released["why"] == "logout" and released["agent_id"] == eva_id and "to_team" in released
    assert _released(desk, answered) == []
    # another agent can now take it from the queue
    desk.add_agent("ben@tiendasol.example", name="Ben")
    ben = desk.login("ben@tiendasol.example")
    assert _agent(desk, "/queue/claim", ben)["conversation_id"] == unanswered


def test_going_offline_returns_them_and_going_away_does_not(desk: Desk) -> None:
    desk.add_agent(EVA, name="Eva")
    eva = desk.login(EVA)
    _answered, unanswered = _two_claimed_one_answered(desk, eva)

    assert _agent(desk, "/me/status", eva, {"status": "away"})["active_conversations"] == 2
    assert _state(desk, eva)["waiting"] == []

    me = _agent(desk, "/me/status", eva, {"status": "offline"})
    assert (me["status"], me["active_conversations"]) == ("offline", 1)
    assert _state(desk, eva)["waiting"] == [unanswered]
    assert _released(desk, unanswered)[0]["why"] == "offline"


def test_a_configured_fallback_agent_gets_them_when_online(
    desk_with: Callable[..., AbstractContextManager[Desk]],
) -> None:
    with desk_with(handoff_return_to="agent:lola@tiendasol.example") as desk:
        desk.add_agent(EVA, name="Eva")
        lola_id = desk.add_agent("lola@tiendasol.example", name="Lola")
        lola = desk.login("lola@tiendasol.example")
        eva = desk.login(EVA)
        _answered, unanswered = _two_claimed_one_answered(desk, eva)
        assert desk.client.post("/api/v1/agent/logout", headers=eva).status_code == 204
        assert _state(desk, lola)["mine"] == [unanswered]
        assert (
            desk.messages(unanswered)[-1]["text"] == "Lola se ha unido a la conversación y te atiende ahora."
        )
        assert _released(desk, unanswered)[0]["to_agent_id"] == lola_id


def test_with_the_fallback_offline_they_go_to_the_queue(
    desk_with: Callable[..., AbstractContextManager[Desk]],
) -> None:
    with desk_with(handoff_return_to="agent:lola@tiendasol.example") as desk:
        desk.add_agent(EVA, name="Eva")
        desk.add_agent("lola@tiendasol.example", name="Lola")
        lola = desk.login("lola@tiendasol.example", online=False)
        eva = desk.login(EVA)
        _answered, unanswered = _two_claimed_one_answered(desk, eva)
        assert desk.client.post("/api/v1/agent/logout", headers=eva).status_code == 204
        assert _state(desk, lola) == {"waiting": [unanswered], "mine": []}


def test_a_fallback_team_gets_them_in_its_queue(
    desk_with: Callable[..., AbstractContextManager[Desk]],
) -> None:
    with desk_with(handoff_return_to="team:leads") as desk:
        desk.add_agent(EVA, name="Eva")
        eva = desk.login(EVA)
        _answered, unanswered = _two_claimed_one_answered(desk, eva)
        assert desk.client.post("/api/v1/agent/logout", headers=eva).status_code == 204
        desk.add_agent("ben@tiendasol.example", name="Ben")
        ben = desk.login("ben@tiendasol.example")
        desk.add_agent("lea@tiendasol.example", name="Lea", skills="leads")
        lea = desk.login("lea@tiendasol.example")
        assert _state(desk, ben)["waiting"] == [unanswered]
        assert desk.client.get("/api/v1/agent/queue", headers=ben).json()["waiting"] == []  # not Ben's team
        [entry] = desk.client.get("/api/v1/agent/queue", headers=lea).json()["waiting"]
        assert (entry["conversation_id"], entry["skill"]) == (unanswered, "leads")


def test_with_auto_assign_on_another_online_agent_gets_them_at_once(
    desk_with: Callable[..., AbstractContextManager[Desk]],
) -> None:
    with desk_with(handoff_auto_assign=True) as desk:
        desk.add_agent(EVA, name="Eva")
        eva = desk.login(EVA)
        unanswered = desk.hand_off("quiero hablar con una persona", source_id="luis", language="es")
        # auto-assigned to Eva, the only one online (by the listener, after the handoff's commit)
        desk.wait_until(lambda: _state(desk, eva)["mine"] == [unanswered], "auto-assigned to Eva")
        desk.add_agent("ben@tiendasol.example", name="Ben")
        ben = desk.login("ben@tiendasol.example")
        assert desk.client.post("/api/v1/agent/logout", headers=eva).status_code == 204
        assert _state(desk, ben) == {"waiting": [], "mine": [unanswered]}
        assert (
            desk.messages(unanswered)[-1]["text"] == "Ben se ha unido a la conversación y te atiende ahora."
        )
