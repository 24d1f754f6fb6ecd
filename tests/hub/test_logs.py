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


def test_a_request_line_is_masked_in_its_path_and_kept_whole() -> None:
    # uvicorn.access: client address, method, path with query, HTTP version, status
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/stream?source_id=612345678&q=maria@example.com", "1.1", 200),
        None,
    )
    for line in (json.loads(JsonFormatter().format(record))["msg"], TextFormatter().format(record)):
        assert "612345678" not in line and "maria@example.com" not in line
        assert '127.0.0.1:5000 - "GET /api/v1/stream?source_id=***&q=[EMAIL] HTTP/1.1" 200' in line


def test_everything_else_in_the_line_is_kept() -> None:
    line = redact("GET /api/v1/conversations/7/messages?after_id=3&source_id=abc HTTP/1.1")
    assert line == "GET /api/v1/conversations/7/messages?after_id=3&source_id=*** HTTP/1.1"
    assert redact("the customer wrote: my token is lost") == "the customer wrote: my token is lost"


def _record(msg: str, args: tuple[object, ...] = (), **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("hub.test", logging.ERROR, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_personal_data_in_messages_and_fields_never_reaches_the_log() -> None:
    customer_text = "mi dni es 12345678Z y mi movil 612 345 678, escribid a ana.lopez@example.com"
    record = _record("could not store %r", (customer_text,), context={"text": customer_text},
                     texts=[customer_text])
    for line in (JsonFormatter().format(record), TextFormatter().format(record)):
        for datum in ("12345678Z", "612 345 678", "ana.lopez@example.com"):
            assert datum not in line
        assert "[DNI]" in line and "[PHONE]" in line and "[EMAIL]" in line
        assert "could not store" in line and "mi movil" in line  # the rest stays readable


def test_an_exception_carrying_customer_text_is_masked() -> None:
    try:
        raise ValueError("bad IBAN ES91 2100 0418 4502 0005 1332 for card 4111 1111 1111 1111")
    except ValueError:
        import sys

        record = logging.LogRecord("hub.test", logging.ERROR, __file__, 1, "failed", (),
                                   sys.exc_info())
    line = JsonFormatter().format(record)
    assert "ES91 2100" not in line and "4111 1111" not in line
    assert "[IBAN]" in line and "[CARD]" in line
