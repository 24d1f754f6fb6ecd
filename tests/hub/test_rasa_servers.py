"""Several Rasa servers (RASA_URL with commas): each conversation keeps to one, and moves on only while
that one cannot be reached (hub/rasa_servers.py, hub/bot.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from hub import rasa_servers
from hub.bot import RasaClient, RasaUnavailable
from tests.support.domain import domain_services

A, B, C = "http://rasa-a:5005", "http://rasa-b:5005", "http://rasa-c:5005"


def test_a_list_of_servers_is_read_and_mistakes_are_named() -> None:
    assert rasa_servers.parse(f"{A}/, {B}") == (A, B)
    with pytest.raises(ValueError, match="http"):
        rasa_servers.parse("rasa-a:5005")
    with pytest.raises(ValueError, match="twice"):
        rasa_servers.parse(f"{A},{A}")
    with pytest.raises(ValueError, match="empty"):
        rasa_servers.parse(" , ")


def test_conversations_spread_over_the_servers_and_a_new_server_takes_only_its_share() -> None:
    senders = [str(i) for i in range(3000)]
    two = {s: rasa_servers.for_sender((A, B), s)[0] for s in senders}
    assert all(rasa_servers.for_sender((A, B), s)[0] == two[s] for s in senders[:100])  # stable
    shares = Counter(two.values())
    assert 1300 < shares[A] < 1700 and 1300 < shares[B] < 1700
    three = {s: rasa_servers.for_sender((A, B, C), s)[0] for s in senders}
    moved = [s for s in senders if three[s] != two[s]]
    assert all(three[s] == C for s in moved)  # nobody moves between the old servers
    assert 800 < len(moved) < 1200  # about a third


def _servers(down: set[str], timeout: frozenset[str] = frozenset()) -> tuple[httpx.AsyncClient, list[str]]:
    asked: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        asked.append(base)
        if base in down:
            raise httpx.ConnectError("connection refused", request=request)
        if base in timeout:
            raise httpx.ReadTimeout("no answer", request=request)
        return httpx.Response(200, json=[{"recipient_id": "1", "text": f"from {base}"}])

    return httpx.AsyncClient(transport=httpx.MockTransport(handle)), asked


def _sender_on(server: str) -> str:
    return next(str(i) for i in range(100) if rasa_servers.for_sender((A, B), str(i))[0] == server)


async def test_a_conversation_whose_server_is_down_is_answered_by_the_next() -> None:
    http, asked = _servers(down={A})
    sender = _sender_on(A)
    [reply] = await RasaClient(http, f"{A},{B}").send(sender, "hola", {})
    assert reply.text == f"from {B}" and asked == [A, B]


async def test_a_server_that_took_the_message_but_did_not_answer_is_not_bypassed() -> None:
    # It may be running the turn: asking another server would run it twice (hub/bot_tracker.py).
    http, asked = _servers(down=set(), timeout=frozenset({A}))
    with pytest.raises(RasaUnavailable):
        await RasaClient(http, f"{A},{B}").send(_sender_on(A), "hola", {})
    assert asked == [A]


async def test_a_conversations_turns_and_its_pause_go_to_one_server(tmp_path: Path) -> None:
    async with domain_services(tmp_path, rasa_url=f"{A},{B}") as domain:
        domain.rasa.reply = lambda text, _m: (
            [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]
            if "persona" in text
            else [{"text": f"echo: {text}"}]
        )
        conversation_id = (await domain.customer("hola")).conversation.id
        await domain.customer("¿y los envíos?")
        await domain.customer("quiero una persona")
        assert (str(conversation_id), "pause") in domain.rasa.events
        assert len({host for host, _path in domain.rasa.requests}) == 1
        assert {path for _h, path in domain.rasa.requests} >= {
            "/webhooks/rest/webhook",
            f"/conversations/{conversation_id}/tracker/events",
        }
