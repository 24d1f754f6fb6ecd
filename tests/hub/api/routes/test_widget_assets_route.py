"""GET /widget.js, /widget.css and /demo: the widget and the demo shop page that embeds it."""

from __future__ import annotations

import re

from hub_testing import HubClient


def test_the_widget_script_is_served_as_javascript(hub: HubClient) -> None:
    response = hub.client.get("/widget.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert "session_request" in response.text and "user_uttered" in response.text
    assert ".innerHTML" not in response.text  # message text is set as text only


def test_the_widget_styles_are_served_as_css(hub: HubClient) -> None:
    response = hub.client.get("/widget.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_the_demo_shop_embeds_the_widget_with_one_script_tag(hub: HubClient) -> None:
    response = hub.client.get("/demo")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="es">' in page and "Tienda Sol" in page
    assert re.findall(r"<script\b[^>]*>", page) == [
        re.search(r'<script src="/widget\.js"[^>]*>', page, re.S).group(0)  # type: ignore[union-attr]
    ]
