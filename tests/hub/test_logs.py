"""Log lines never carry credentials that arrive in query strings."""

from __future__ import annotations

import json
import logging

import pytest

from hub.logs import JsonFormatter, TextFormatter, redact


def access_line(path: str) -> logging.LogRecord:
    # What uvicorn logs for a websocket or an HTTP request: the path with its query string.
    return logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", path),
        None,
    )


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        ("/api/v1/conversations/7/ws?token=agent-secret-token", "agent-secret-token"),
        ("/api/v1/agent/ws?lang=es&token=agent-secret-token", "agent-secret-token"),
        ("/api/v1/conversations/7/messages?source_id=customer-1234&after_id=3", "customer-1234"),
        (
            "/api/v1/channels/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1",
            "verify-me",
        ),
    ],
)
def test_a_credential_in_a_logged_request_line_is_masked(path: str, secret: str) -> None:
    record = access_line(path)
    json_line = JsonFormatter().format(record)
    text_line = TextFormatter().format(record)
    for line in (json_line, text_line):
        assert secret not in line
        assert "***" in line
    assert json.loads(json_line)["msg"].startswith('127.0.0.1:5000 - "WebSocket /api/v1/')


def test_everything_else_in_the_line_is_kept() -> None:
    line = redact("GET /api/v1/conversations/7/messages?after_id=3&source_id=abc HTTP/1.1")
    assert line == "GET /api/v1/conversations/7/messages?after_id=3&source_id=*** HTTP/1.1"
    assert redact("the customer wrote: my token is lost") == "the customer wrote: my token is lost"
