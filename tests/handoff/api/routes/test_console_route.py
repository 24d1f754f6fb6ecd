"""GET /agent serves the agent console page and the files it loads; nothing else under /agent/assets."""

from __future__ import annotations

import re

from handoff_testing import Desk

from handoff.api.routes.console import ASSETS


def test_the_console_page_and_every_file_it_loads_are_served(desk: Desk) -> None:
    page = desk.client.get("/agent")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    loaded = set(re.findall(r'(?:src|href)="/agent/assets/([^"]+)"', page.text))
    assert loaded == set(ASSETS)
    for name in loaded:
        asset = desk.client.get(f"/agent/assets/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"] == ASSETS[name]
        assert asset.headers["cache-control"] == "no-cache"
        assert asset.text.strip()


def test_only_the_consoles_own_files_are_served(desk: Desk) -> None:
    for name in ("console.py", "..%2Fdesk.py", "policy.yml"):
        response = desk.client.get(f"/agent/assets/{name}")
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] == "http_404"


def test_the_console_is_not_part_of_the_api_document(desk: Desk) -> None:
    paths = desk.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/agent" or p.startswith("/agent/")]
