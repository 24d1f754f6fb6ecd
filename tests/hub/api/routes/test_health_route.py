"""GET /healthz reports the database and whether Rasa answers."""

from __future__ import annotations

from hub_testing import HubClient

from tests.fakes.rasa import FakeRasa


def test_health_reports_rasa_up_and_down(hub: HubClient, rasa: FakeRasa) -> None:
    assert hub.client.get("/healthz").json() == {"status": "ok", "rasa": "up", "db": "ok"}
    rasa.down = True
    response = hub.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "rasa": "down", "db": "ok"}


def test_unknown_paths_answer_json_errors(hub: HubClient) -> None:
    response = hub.client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "http_404"
