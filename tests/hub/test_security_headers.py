"""Pages cannot be framed or run foreign script; no response is content-sniffed."""

from __future__ import annotations

import pytest
from hub_testing import HubClient


@pytest.mark.parametrize("path", ["/demo", "/agent"])
def test_pages_refuse_framing_and_foreign_script(hub: HubClient, path: str) -> None:
    response = hub.client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_api_answers_are_not_sniffed_and_carry_no_page_policy(hub: HubClient) -> None:
    response = hub.client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers
    refused = hub.client.get("/api/v1/conversations/1")  # errors get the headers too
    assert refused.status_code == 401
    assert refused.headers["x-content-type-options"] == "nosniff"
