"""Supervisors hear live when a customer waited past HANDOFF_WAIT_ALERT_AFTER (handoff/wait_alerts.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from handoff_testing import Desk

from handoff.wait_alerts import WaitAlerts
from hub.models import utcnow


def _alerts(desk: Desk) -> WaitAlerts:
    services = desk.services
    return WaitAlerts(
        sessions=services.sessions, broadcast=services.broadcast, settings=desk.handoff_settings
    )


def _check(desk: Desk, alerts: WaitAlerts, *, later: float) -> int:
    return desk.call(lambda: alerts.check(now=utcnow() + timedelta(seconds=later)))


def _frames_until(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(20):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def test_a_long_wait_is_alerted_live_once(desk_with: Callable[..., AbstractContextManager[Desk]]) -> None:
    with desk_with(handoff_wait_alert_after=120) as desk:
        desk.add_agent("sara@tiendasol.example", role="supervisor")
        sara = desk.login("sara@tiendasol.example")
        token = sara["Authorization"].split()[1]
        alerts = _alerts(desk)
        with desk.client.websocket_connect(f"/api/v1/agent/ws?token={token}") as console:
            assert console.receive_json()["type"] == "subscribed"
            conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
            assert _check(desk, alerts, later=60) == 0  # not yet
            assert _check(desk, alerts, later=130) == 1
            alert = _frames_until(console, "wait_alert")
            assert alert["conversation_id"] == conversation_id and alert["waiting_seconds"] >= 130
            assert (alert["language"], alert["priority"], alert["channel"]) == ("es", "normal", "api")
            # what the console calls the customer, as in the queue (an unnamed API contact: by number)
            assert alert["contact_id"] and "customer_name" in alert
            assert _check(desk, alerts, later=400) == 0  # once per wait
        overview = desk.client.get("/api/v1/agent/supervision", headers=sara).json()
        assert overview["wait_alert_after"] == 120


def test_a_claimed_conversation_is_not_alerted(
    desk_with: Callable[..., AbstractContextManager[Desk]],
) -> None:
    with desk_with(handoff_wait_alert_after=120) as desk:
        desk.add_agent("eva@tiendasol.example")
        eva = desk.login("eva@tiendasol.example")
        desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
        assert desk.client.post("/api/v1/agent/queue/claim", headers=eva).status_code == 200
        assert _check(desk, _alerts(desk), later=600) == 0


def test_zero_turns_the_alerts_off(desk_with: Callable[..., AbstractContextManager[Desk]]) -> None:
    with desk_with(handoff_wait_alert_after=0) as desk:
        desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
        assert _check(desk, _alerts(desk), later=3600) == 0


def test_alerts_reassign_and_release_work_on_both_databases(any_db_desk: Desk) -> None:
    desk = any_db_desk
    desk.add_agent("sara@tiendasol.example", name="Sara", role="supervisor")
    eva_id = desk.add_agent("eva@tiendasol.example", name="Eva")
    sara = desk.login("sara@tiendasol.example")
    eva = desk.login("eva@tiendasol.example")
    conversation_id = desk.hand_off("quiero hablar con una persona", source_id="marta", language="es")
    assert _check(desk, _alerts(desk), later=600) == 1  # the default threshold: 300 s
    moved = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/reassign", json={"agent_id": eva_id}, headers=sara
    )
    assert moved.status_code == 200, moved.text
    offline = desk.client.put("/api/v1/agent/me/status", json={"status": "offline"}, headers=eva)
    assert offline.status_code == 200, offline.text
    waiting = desk.client.get("/api/v1/agent/supervision", headers=sara).json()["waiting"]
    assert [e["conversation_id"] for e in waiting] == [conversation_id]
