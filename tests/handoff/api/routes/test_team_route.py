"""Admins manage agents through the API (handoff/api/routes/team.py): create, change, disable, reset a
password; everyone else gets 403 ``admin_only``; every change is audited."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocketDisconnect

from hub.models import Event

NEW = {
    "email": "Nora@TiendaSol.example",
    "name": "Nora",
    "password": "temporal-123",
    "role": "agent",
    "languages": ["es", "EN"],
    "skills": ["orders"],
    "max_concurrent": 2,
}


@pytest.fixture
def admin(desk: Desk) -> dict[str, str]:
    desk.add_agent("ada@tiendasol.example", name="Ada", role="admin")
    return desk.login("ada@tiendasol.example", online=False)


def _call(desk: Desk, method: str, path: str, who: dict[str, str], body: Any = None) -> Any:
    return desk.client.request(method, f"/api/v1/agent{path}", json=body, headers=who)


def _audit(desk: Desk) -> list[tuple[str, dict[str, Any]]]:
    async def run(session: AsyncSession) -> list[tuple[str, dict[str, Any]]]:
        rows = await session.execute(
            sa.select(Event.kind, Event.data)
            .where(Event.kind.like("agent_%"), Event.conversation_id.is_(None))
            .order_by(Event.id)
        )
        return [(kind, data or {}) for kind, data in rows.all()]

    return desk.db(run)


def test_an_admin_creates_an_agent_who_logs_in_with_the_temporary_password(
    desk: Desk, admin: dict[str, str]
) -> None:
    created = _call(desk, "POST", "/agents", admin, NEW)
    assert created.status_code == 201, created.text
    nora = created.json()
    assert (nora["email"], nora["languages"], nora["status"], nora["disabled"]) == (
        "nora@tiendasol.example",
        ["es", "en"],
        "offline",
        False,
    )
    login = desk.client.post(
        "/api/v1/agent/login", json={"email": "nora@tiendasol.example", "password": "temporal-123"}
    )
    assert login.status_code == 200, login.text
    again = _call(desk, "POST", "/agents", admin, {**NEW, "email": "nora@tiendasol.example"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "agent_email_taken")
    [(kind, data)] = _audit(desk)
    assert kind == "agent_created" and data["agent_id"] == nora["id"] and "password" not in str(data)


def test_agents_and_supervisors_may_not_manage_agents(desk: Desk, admin: dict[str, str]) -> None:
    eva_id = desk.add_agent("eva@tiendasol.example")
    desk.add_agent("sara@tiendasol.example", role="supervisor")
    for who in (desk.login("eva@tiendasol.example"), desk.login("sara@tiendasol.example")):
        for method, path, body in (
            ("POST", "/agents", NEW),
            ("PATCH", f"/agents/{eva_id}", {"max_concurrent": 9}),
            ("POST", f"/agents/{eva_id}/password", {"password": "otra-clave-1"}),
        ):
            refused = _call(desk, method, path, who, body)
            assert refused.status_code == 403, refused.text
            assert refused.json()["error"]["code"] == "admin_only"
    assert _audit(desk) == []


def test_an_admin_changes_roles_languages_skills_and_capacity(desk: Desk, admin: dict[str, str]) -> None:
    eva_id = desk.add_agent("eva@tiendasol.example", name="Eva")
    changed = _call(
        desk,
        "PATCH",
        f"/agents/{eva_id}",
        admin,
        {
            "role": "supervisor",
            "languages": ["en", "es"],
            "skills": ["billing", "Orders"],
            "max_concurrent": 5,
        },
    )
    assert changed.status_code == 200, changed.text
    listed = next(a for a in _call(desk, "GET", "/agents", admin).json() if a["id"] == eva_id)
    assert (listed["role"], listed["languages"], listed["skills"], listed["max_concurrent"]) == (
        "supervisor",
        ["en", "es"],
        ["billing", "orders"],
        5,
    )
    eva = desk.login("eva@tiendasol.example", online=False)
    assert _call(desk, "GET", "/supervision", eva).status_code == 200  # a supervisor now
    [(kind, data)] = _audit(desk)
    assert kind == "agent_updated" and data["changes"]["max_concurrent"] == [3, 5]
    assert data["changes"]["role"] == ["agent", "supervisor"]


def test_a_disabled_agent_is_logged_out_cannot_log_in_and_gives_back_every_conversation(
    desk: Desk, admin: dict[str, str]
) -> None:
    eva_id = desk.add_agent("eva@tiendasol.example", name="Eva")
    eva = desk.login("eva@tiendasol.example")
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
    assert _call(desk, "POST", f"/conversations/{conversation_id}/claim", eva).status_code == 200
    assert (
        _call(desk, "POST", f"/conversations/{conversation_id}/messages", eva, {"text": "Hola"}).status_code
        == 201
    )
    token = eva["Authorization"].split()[1]
    with desk.client.websocket_connect(f"/api/v1/agent/ws?token={token}") as console:
        assert console.receive_json()["type"] == "subscribed"
        off = _call(desk, "PATCH", f"/agents/{eva_id}", admin, {"disabled": True})
        assert off.status_code == 200, off.text
        assert (off.json()["disabled"], off.json()["status"], off.json()["active_conversations"]) == (
            True,
            "offline",
            0,
        )
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                console.receive_json()
        assert closed.value.code == 4401
    assert _call(desk, "GET", "/me", eva).status_code == 401
    login = desk.client.post(
        "/api/v1/agent/login", json={"email": "eva@tiendasol.example", "password": "s3cret-pass"}
    )
    assert (login.status_code, login.json()["error"]["code"]) == (403, "agent_disabled")
    waiting = _call(desk, "GET", "/queue", admin, None).json()["waiting"]
    assert [e["conversation_id"] for e in waiting] == [conversation_id]  # answered, and still back
    # other agents no longer see Eva to transfer to; the admin does
    desk.add_agent("ben@tiendasol.example")
    ben = desk.login("ben@tiendasol.example")
    assert eva_id not in [a["id"] for a in _call(desk, "GET", "/agents", ben).json()]
    assert eva_id in [a["id"] for a in _call(desk, "GET", "/agents", admin).json()]
    assert _call(desk, "PATCH", f"/agents/{eva_id}", admin, {"disabled": False}).status_code == 200
    assert (
        desk.client.post(
            "/api/v1/agent/login", json={"email": "eva@tiendasol.example", "password": "s3cret-pass"}
        ).status_code
        == 200
    )
    assert [kind for kind, _ in _audit(desk)] == ["agent_disabled", "agent_enabled"]


def test_a_password_reset_ends_the_sessions_and_only_the_new_password_works(
    desk: Desk, admin: dict[str, str]
) -> None:
    eva_id = desk.add_agent("eva@tiendasol.example")
    eva = desk.login("eva@tiendasol.example")
    reset = _call(desk, "POST", f"/agents/{eva_id}/password", admin, {"password": "temporal-456"})
    assert reset.status_code == 200, reset.text
    assert _call(desk, "GET", "/me", eva).status_code == 401
    old = desk.client.post(
        "/api/v1/agent/login", json={"email": "eva@tiendasol.example", "password": "s3cret-pass"}
    )
    assert old.status_code == 401
    desk.login("eva@tiendasol.example", password="temporal-456")
    assert [kind for kind, _ in _audit(desk)] == ["agent_password_reset"]


def test_an_admin_cannot_disable_or_demote_themselves(desk: Desk, admin: dict[str, str]) -> None:
    me = _call(desk, "GET", "/me", admin).json()
    for body in ({"disabled": True}, {"role": "supervisor"}):
        refused = _call(desk, "PATCH", f"/agents/{me['id']}", admin, body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "own_account")
    assert _call(desk, "PATCH", f"/agents/{me['id']}", admin, {"name": "Ada L."}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/agents", {**NEW, "password": "corta"}),
        ("POST", "/agents", {**NEW, "email": "no-es-un-correo"}),
        ("POST", "/agents", {**NEW, "languages": ["español!"]}),
        ("POST", "/agents", {**NEW, "role": "boss"}),
        ("POST", "/agents", {**NEW, "max_concurrent": 0}),
        ("PATCH", "/agents/1", {"languages": []}),
        ("POST", "/agents/1/password", {"password": "1234"}),
    ],
    ids=[
        "short-password",
        "bad-email",
        "bad-language",
        "bad-role",
        "no-capacity",
        "no-languages",
        "short-reset",
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(
    desk: Desk, admin: dict[str, str], method: str, path: str, body: dict[str, Any]
) -> None:
    response = _call(desk, method, path, admin, body)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_request"), response.text
    assert _audit(desk) == []


def test_an_unknown_agent_is_404(desk: Desk, admin: dict[str, str]) -> None:
    for method, path, body in (
        ("PATCH", "/agents/999", {"name": "X"}),
        ("POST", "/agents/999/password", {"password": "temporal-789"}),
    ):
        response = _call(desk, method, path, admin, body)
        assert (response.status_code, response.json()["error"]["code"]) == (404, "agent_not_found")


def test_nobody_can_transfer_to_a_disabled_agent(desk: Desk, admin: dict[str, str]) -> None:
    eva_id = desk.add_agent("eva@tiendasol.example")
    desk.add_agent("ben@tiendasol.example")
    ben = desk.login("ben@tiendasol.example")
    assert _call(desk, "PATCH", f"/agents/{eva_id}", admin, {"disabled": True}).status_code == 200
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
    assert _call(desk, "POST", f"/conversations/{conversation_id}/claim", ben).status_code == 200
    refused = _call(desk, "POST", f"/conversations/{conversation_id}/transfer", ben, {"agent_id": eva_id})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "agent_unavailable")
    assert _call(desk, "GET", "/queue", ben).json()["mine"][0]["conversation_id"] == conversation_id


def test_an_agent_replaces_the_temporary_password_with_their_own(desk: Desk, admin: dict[str, str]) -> None:
    assert _call(desk, "POST", "/agents", admin, NEW).status_code == 201
    login = desk.client.post(
        "/api/v1/agent/login", json={"email": "nora@tiendasol.example", "password": "temporal-123"}
    )
    assert login.json()["agent"]["must_change_password"] is True
    nora = {"Authorization": f"Bearer {login.json()['token']}"}
    other = desk.login("nora@tiendasol.example", "temporal-123", online=False)  # another device
    path = "/me/password"
    for body, status, code in (
        ({"current_password": "nope", "new_password": "mi-clave-propia"}, 403, "wrong_password"),
        ({"current_password": "temporal-123", "new_password": "temporal-123"}, 422, "password_unchanged"),
        ({"current_password": "temporal-123", "new_password": "corta"}, 422, "invalid_request"),
    ):
        refused = _call(desk, "PUT", path, nora, body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code)
    changed = _call(
        desk, "PUT", path, nora, {"current_password": "temporal-123", "new_password": "mi-clave-propia"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    assert _call(desk, "GET", "/me", nora).status_code == 200  # this login stays
    assert _call(desk, "GET", "/me", other).status_code == 401  # the other one ended
    desk.login("nora@tiendasol.example", "mi-clave-propia")
    assert "agent_password_changed" in [kind for kind, _ in _audit(desk)]
    # an admin's reset makes it temporary again
    reset = _call(
        desk, "POST", f"/agents/{changed.json()['id']}/password", admin, {"password": "temporal-999"}
    )
    assert reset.json()["must_change_password"] is True
