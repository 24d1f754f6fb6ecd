"""Property tests: whatever arrives at the WhatsApp webhook parses or is refused, never crashes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.channels.whatsapp_format import split_text
from hub.channels.whatsapp_inbound import parse_body
from hub.channels.whatsapp_payloads import Webhook
from hub.errors import HubError

# any text JSON can carry: lone surrogates and NUL included (json.dumps escapes them)
TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=30)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(TEXT, inner, max_size=4), max_leaves=25)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parses_or_refuses(body: bytes) -> Webhook | None:
    try:
        return parse_body(body)
    except HubError as exc:  # a 4xx with its reason, mapped to HTTP in one place
        assert 400 <= exc.http_status < 500
        return None


@FAST
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_are_refused_with_a_4xx(body: bytes) -> None:
    _parses_or_refuses(body)


@FAST
@given(JSON)
def test_any_json_parses_or_is_refused_with_a_4xx(value: Any) -> None:
    _parses_or_refuses(json.dumps(value).encode())


def _message(text: str, wamid: str) -> dict[str, Any]:
    return {"from": "34600111222", "id": wamid, "timestamp": "1700000000", "type": "text",
            "text": {"body": text}}


@FAST
@given(st.lists(st.tuples(TEXT, TEXT), max_size=5))
def test_messages_that_parse_carry_only_storable_text(pairs: list[tuple[str, str]]) -> None:
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "34911222333", "phone_number_id": "PNID"},
            "messages": [_message(text, wamid) for text, wamid in pairs]}}]}]}
    parsed = _parses_or_refuses(json.dumps(body).encode())
    if parsed is None:
        return
    for inbound in parsed.messages:
        for value in (inbound.text or "", inbound.wamid):
            assert "\x00" not in value
            value.encode("utf-8")  # no lone surrogate


@FAST
@given(TEXT.filter(lambda t: "\x00" not in t) | st.text(max_size=3000),
       st.integers(min_value=20, max_value=4096))
def test_a_long_reply_is_split_into_sendable_pieces_losing_no_word(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
