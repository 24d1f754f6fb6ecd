"""The API contract of errors (issue 15, finding 15)."""

from __future__ import annotations

from hub_testing import HubClient


def test_a_405_says_which_methods_the_endpoint_accepts(hub: HubClient) -> None:
    response = hub.client.delete("/api/v1/messages")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "http_405"
    assert response.headers["Allow"] == "POST"
