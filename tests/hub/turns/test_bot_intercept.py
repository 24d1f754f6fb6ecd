"""A bot intercept (learning's «¿Te ha servido?», hub/seams.py ``BotIntercept``) that fails never keeps a
customer from the bot's answer, even when its failed statement spoils the drain's transaction (PostgreSQL
aborts it), in which the drain also takes the bot turn's lease (hub/turns/drain.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from hub.app import create_app
from hub.services import Services
from hub.settings import Settings
from mostrador.wiring import wire as product_wire
from tests.fakes.rasa import FakeRasa


class _FailingIntercept:
    """Waits for nothing: its query fails (a table that does not exist) or it raises before asking."""

    def __init__(self, *, sql: bool) -> None:
        self.sql = sql
        self.asked = 0

    async def waiting(self, session: AsyncSession, *, conversation_id: int) -> bool:
        self.asked += 1
        if self.sql:
            await session.execute(sa.text("SELECT state FROM no_such_feedback_table"))
        raise RuntimeError("intercept broken")

    async def take(self, session: AsyncSession, **_: object) -> None:
        return None


@pytest.fixture(params=["sql", "python"])
def intercept(request: pytest.FixtureRequest) -> _FailingIntercept:
    return _FailingIntercept(sql=request.param == "sql")


@pytest.fixture
def broken_hub(settings: Settings, rasa: FakeRasa, intercept: _FailingIntercept) -> Iterator[HubClient]:
    def wire(services: Services) -> None:
        product_wire(services)
        services.seams.bot_intercept = intercept

    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle), wire=wire)
    with TestClient(app) as client:
        yield HubClient(client)


def test_a_failing_bot_intercept_is_logged_and_the_customer_gets_the_bot_s_answers_in_order(
    broken_hub: HubClient, rasa: FakeRasa, intercept: _FailingIntercept, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="hub.turns"):
        first = broken_hub.post("¿cuánto tarda el envío?").json()
        conversation_id = first["conversation_id"]
        broken_hub.wait_for_replies(conversation_id, 1)
        broken_hub.post("¿y a Canarias?")  # the same customer, the same conversation
        messages = broken_hub.wait_idle(conversation_id)
    assert [(m["message_type"], m["text"]) for m in messages] == [
        ("incoming", "¿cuánto tarda el envío?"),
        ("outgoing", "echo: ¿cuánto tarda el envío?"),
        ("incoming", "¿y a Canarias?"),
        ("outgoing", "echo: ¿y a Canarias?"),
    ]
    assert [m["bot_state"] for m in messages if m["message_type"] == "incoming"] == ["done", "done"]
    assert rasa.messages_to_bot(conversation_id) == ["¿cuánto tarda el envío?", "¿y a Canarias?"]  # once each
    assert intercept.asked >= 2
    assert "bot intercept failed; the bot answers" in caplog.text
