"""Rasa down, hung or failing: receipt at once, one holding message, answered once when back or a person.

The hub talks real HTTP to a fake Rasa on loopback (``RasaServer``) that is refused, hangs or answers
503. Waits poll the database; none asserts a duration. Retries go every 0.1 s exactly (base = max),
so "N more attempts" means at least (N - 1) x 0.1 s went by.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hub_testing import HubClient, RasaServer, running
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Handoff
from hub.models import Conversation, Event, Message, utcnow
from hub.settings import Settings
from hub.turns.deadlines import holding_text

HOLDING_ES = holding_text("es")


def rows(model: Any, *where: Any) -> Callable[[AsyncSession], Any]:
    async def run(session: AsyncSession) -> list[Any]:
        return list((await session.execute(sa.select(model).where(*where).order_by(model.id))).scalars())

    return run


def attempts(hub: HubClient, message_id: int) -> int:
    [message] = hub.db(rows(Message, Message.id == message_id))
    return int(message.bot_attempts)


def wait_attempts(hub: HubClient, message_id: int, more_than: int) -> int:
    """Wait for more failed attempts than ``more_than`` (retries are 0.1 s apart)."""
    return hub.wait_until(
        lambda: (n := attempts(hub, message_id)) > more_than and n, f"more than {more_than} attempts"
    )


def holding(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if m["message_type"] == "activity" and m["text"] in (holding_text("es"), holding_text("en"))
    ]


def wait_holding(hub: HubClient, conversation_id: int) -> list[dict[str, Any]]:
    return hub.wait_until(lambda: holding(hub.messages(conversation_id)), "a holding message")


def shown(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(m["message_type"], m["text"]) for m in messages]


@pytest.mark.parametrize("outage", ["refused", "hung", "503"])
def test_the_receipt_arrives_at_once_while_rasa_is_unavailable(
    outage_settings: Settings, rasa_server: RasaServer, outage: str
) -> None:
    {"refused": rasa_server.down, "hung": rasa_server.hang, "503": rasa_server.fail}[outage]()
    with running(outage_settings) as hub:
        with hub.client.websocket_connect("/api/v1/channels/api/ws?source_id=cust-1") as ws:
            assert ws.receive_json()["type"] == "subscribed"
            response = hub.post("hola, ¿me ayudáis?")
            frame = ws.receive_json()
        assert response.status_code == 202
        receipt = response.json()
        assert receipt["status"] == "received"
        assert frame == {"type": "receipt", "receipt": receipt}
        if outage != "refused":
            hub.wait_until(lambda: rasa_server.webhook_calls, "the message reached Rasa")
        assert [m["bot_state"] for m in hub.messages(receipt["conversation_id"])] == ["queued"]


def test_while_rasa_is_down_the_customer_gets_one_holding_message_and_each_answer_once_when_back(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings) as hub:
        first = hub.post("hola").json()
        conversation_id = first["conversation_id"]
        wait_holding(hub, conversation_id)
        hub.post("¿hay alguien?")
        hub.post("necesito ayuda con mi pedido")
        seen = attempts(hub, first["id"])
        wait_attempts(hub, first["id"], seen + 5)  # the timers had time to send more; they must not
        messages = hub.messages(conversation_id)
        assert [m["bot_state"] for m in messages if m["message_type"] == "incoming"] == ["queued"] * 3
        assert len(holding(messages)) == 1
        assert rasa_server.webhook_calls == []

        rasa_server.up()
        hub.wait_for_replies(conversation_id, 4)
        messages = hub.wait_idle(conversation_id)
        assert shown(messages) == [
            ("incoming", "hola"),
            ("activity", HOLDING_ES),
            ("incoming", "¿hay alguien?"),
            ("incoming", "necesito ayuda con mi pedido"),
            ("outgoing", "echo: hola"),
            ("outgoing", "echo: ¿hay alguien?"),
            ("outgoing", "echo: necesito ayuda con mi pedido"),
        ]
        assert [c["message"] for c in rasa_server.answered] == [
            "hola",
            "¿hay alguien?",
            "necesito ayuda con mi pedido",
        ]
        assert {m["bot_state"] for m in messages if m["message_type"] == "incoming"} == {"done"}
        [conversation] = hub.db(rows(Conversation, Conversation.id == conversation_id))
        assert conversation.status == "pending"
        kinds = [e.kind for e in hub.db(rows(Event, Event.conversation_id == conversation_id))]
        assert kinds.count("bot_holding") == 1 and "bot_handoff" not in kinds


def test_a_hung_rasa_gets_the_customer_a_holding_message_in_their_language_and_answers_once(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.hang()
    with running(outage_settings) as hub:
        receipt = hub.post("hi, where is my order?").json()
        conversation_id = receipt["conversation_id"]
        [held] = wait_holding(hub, conversation_id)
        assert held["text"] == holding_text("en") and held["sender_type"] == "system"
        assert rasa_server.in_flight == 1 and len(rasa_server.webhook_calls) == 1  # still thinking

        rasa_server.up()
        hub.wait_for_replies(conversation_id, 2)
        messages = hub.wait_idle(conversation_id)
        assert shown(messages) == [
            ("incoming", "hi, where is my order?"),
            ("activity", holding_text("en")),
            ("outgoing", "echo: hi, where is my order?"),
        ]
        assert len(rasa_server.webhook_calls) == 1


def test_rasa_answering_503_is_retried_and_the_message_answered_once_it_recovers(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.fail(503)
    with running(outage_settings) as hub:
        receipt = hub.post("¿cuánto tarda el envío?").json()
        conversation_id = receipt["conversation_id"]
        wait_holding(hub, conversation_id)
        wait_attempts(hub, receipt["id"], 3)
        rasa_server.up()
        hub.wait_for_replies(conversation_id, 2)
        messages = hub.wait_idle(conversation_id)
        assert shown(messages) == [
            ("incoming", "¿cuánto tarda el envío?"),
            ("activity", HOLDING_ES),
            ("outgoing", "echo: ¿cuánto tarda el envío?"),
        ]
        assert [c["message"] for c in rasa_server.answered] == ["¿cuánto tarda el envío?"]


def test_a_quick_answer_gets_no_holding_message(outage_settings: Settings, rasa_server: RasaServer) -> None:
    with running(outage_settings, bot_holding_after=30.0) as hub:
        receipt = hub.post("hola").json()
        messages = hub.wait_idle(receipt["conversation_id"])
        assert shown(messages) == [("incoming", "hola"), ("outgoing", "echo: hola")]


def test_after_the_give_up_time_a_person_takes_over_with_reason_bot_unavailable(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings, bot_handoff_after=1.0) as hub:
        first = hub.post("hola, ¿me ayudáis?").json()
        conversation_id = first["conversation_id"]

        def handed_off() -> list[Any]:
            return hub.db(rows(Handoff, Handoff.conversation_id == conversation_id))

        [handoff] = hub.wait_until(handed_off, "the handoff")
        assert (handoff.reason, handoff.state, handoff.priority, handoff.message_id) == (
            "bot_unavailable",
            "waiting",
            2,
            first["id"],
        )
        assert handoff.detail["attempts"] >= 1 and handoff.detail["waited_seconds"] >= 1.0
        messages = hub.wait_idle(conversation_id)
        assert [m["bot_state"] for m in messages if m["message_type"] == "incoming"] == ["skipped"]
        notice = messages[-1]
        assert notice["message_type"] == "activity"
        assert notice["text"].startswith("Nuestro asistente no puede responder ahora mismo")
        assert "Estás en la posición 1 de la cola." in notice["text"]
        assert len(holding(messages)) == 1
        assert hub.conversation(conversation_id)["status"] == "open"

        # The agent sees what comes next; Rasa coming back changes nothing for this conversation.
        rasa_server.up()
        later = hub.post("¿sigue ahí alguien?").json()
        assert later["conversation_id"] == conversation_id
        messages = hub.wait_idle(conversation_id)
        assert messages[-1]["id"] == later["id"] and messages[-1]["bot_state"] == "skipped"
        assert len(holding(messages)) == 1
        assert rasa_server.webhook_calls == []
        kinds = [e.kind for e in hub.db(rows(Event, Event.conversation_id == conversation_id))]
        assert kinds.count("bot_handoff") == 1 and kinds.count("bot_holding") == 1


def test_a_hung_rasa_is_given_up_on_too(outage_settings: Settings, rasa_server: RasaServer) -> None:
    rasa_server.hang()
    with running(outage_settings, bot_handoff_after=1.0) as hub:
        receipt = hub.post("hola").json()
        conversation_id = receipt["conversation_id"]
        hub.wait_until(
            lambda: hub.db(rows(Handoff, Handoff.reason == "bot_unavailable")), "the bot_unavailable handoff"
        )
        rasa_server.up()  # the held request is answered, to a hub that no longer waits for it
        messages = hub.wait_idle(conversation_id)
        assert [m["message_type"] for m in messages] == ["incoming", "activity", "activity"]
        assert messages[0]["bot_state"] == "skipped"
        assert len(rasa_server.webhook_calls) == 1


def test_a_restart_during_the_outage_loses_nothing_and_sends_no_second_holding_message(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings) as hub:
        first = hub.post("hola").json()
        conversation_id = first["conversation_id"]
        wait_holding(hub, conversation_id)
        second = hub.post("¿seguís ahí?").json()
    with running(outage_settings) as hub:
        seen = attempts(hub, first["id"])
        wait_attempts(hub, first["id"], seen + 5)  # past the restarted hub's holding timer
        assert len(holding(hub.messages(conversation_id))) == 1
        rasa_server.up()
        hub.wait_for_replies(conversation_id, 3)
        messages = hub.wait_idle(conversation_id)
        assert shown(messages) == [
            ("incoming", "hola"),
            ("activity", HOLDING_ES),
            ("incoming", "¿seguís ahí?"),
            ("outgoing", "echo: hola"),
            ("outgoing", "echo: ¿seguís ahí?"),
        ]
        assert [m["in_reply_to_id"] for m in messages if m["message_type"] == "outgoing"] == [
            first["id"],
            second["id"],
        ]
        assert [c["message"] for c in rasa_server.answered] == ["hola", "¿seguís ahí?"]


def arrived_ago(hub: HubClient, message_id: int, seconds: float) -> None:
    """The message was received ``seconds`` ago (its created_at, the clock of both deadlines)."""

    async def move() -> None:
        then = utcnow() - timedelta(seconds=seconds)
        async with hub.services.sessions.begin() as session:
            await session.execute(sa.update(Message).where(Message.id == message_id).values(created_at=then))

    assert hub.client.portal is not None
    hub.client.portal.call(move)


def bot_unavailable(hub: HubClient) -> list[Any]:
    return hub.db(rows(Handoff, Handoff.reason == "bot_unavailable"))


def test_a_message_past_its_deadline_when_a_worker_takes_it_goes_to_a_person_without_asking_rasa(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings) as hub:
        receipt = hub.post("hola").json()
        wait_holding(hub, receipt["conversation_id"])
        arrived_ago(hub, receipt["id"], 5 * 60)
    # Counted from the message's arrival, not from this start: the give-up is due at once. Rasa is
    # back, but the customer has waited long enough: a person, and Rasa is not asked.
    rasa_server.up()
    with running(outage_settings, bot_handoff_after=60.0) as hub:
        [handoff] = hub.wait_until(lambda: bot_unavailable(hub), "the handoff after restart")
        assert handoff.message_id == receipt["id"] and handoff.detail["waited_seconds"] >= 300
        messages = hub.wait_idle(receipt["conversation_id"])
        assert len(holding(messages)) == 1
        assert [m["message_type"] for m in messages] == ["incoming", "activity", "activity"]
        assert rasa_server.webhook_calls == []


def test_a_message_near_its_deadline_gets_only_the_time_left_and_is_held_by_its_arrival(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings, bot_holding_after=30.0) as hub:
        receipt = hub.post("hola").json()
        hub.wait_until(lambda: attempts(hub, receipt["id"]) > 0, "a first attempt")
        arrived_ago(hub, receipt["id"], 50)
    rasa_server.up()
    rasa_server.hang()
    with running(outage_settings, bot_holding_after=30.0, bot_handoff_after=60.0) as hub:
        # Held 30 s after it arrived (a second after this worker took it): not 30 s after that.
        [held] = wait_holding(hub, receipt["conversation_id"])
        [handoff] = hub.wait_until(lambda: bot_unavailable(hub), "the handoff at the deadline")
        # Rasa got the 10 s left of the 60, not a fresh wait (it was 30 s more).
        assert 60 <= handoff.detail["waited_seconds"] < 62
        assert len(rasa_server.webhook_calls) == 1
        messages = hub.wait_idle(receipt["conversation_id"])
        assert [m["message_type"] for m in messages] == ["incoming", "activity", "activity"]
        assert messages[1]["id"] == held["id"]  # then the handoff notice


def test_a_customer_waiting_for_a_free_worker_goes_to_a_person_at_the_deadline(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings, hub_workers=1, bot_handoff_after=40.0) as hub:
        ana = hub.post("hola", source_id="ana").json()
        wait_holding(hub, ana["conversation_id"])  # ana's drain holds the only worker, retrying
        bea = hub.post("hola, ¿hay alguien?", source_id="bea").json()
        wait_holding(hub, bea["conversation_id"])
        arrived_ago(hub, bea["id"], 40)  # bea's deadline passes while no worker is free for her
        [handoff] = hub.wait_until(lambda: bot_unavailable(hub), "bea handed to a person")
        assert handoff.conversation_id == bea["conversation_id"] and handoff.message_id == bea["id"]
        assert attempts(hub, bea["id"]) == 0  # never reached the bot
        assert hub.conversation(bea["conversation_id"])["status"] == "open"
        assert hub.conversation(ana["conversation_id"])["status"] == "pending"  # her 40 s are not up


def test_healthz_answers_rasa_down_while_rasa_hangs(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    with running(outage_settings) as hub:
        assert hub.client.get("/healthz").json() == {"status": "ok", "rasa": "up", "db": "ok"}
        rasa_server.hang()
        assert hub.client.get("/healthz").json() == {"status": "ok", "rasa": "down", "db": "ok"}
        assert rasa_server.in_flight >= 1  # the check did not wait for the hung request to end
        rasa_server.up()
        assert hub.client.get("/healthz").json()["rasa"] == "up"


def test_a_customer_waiting_for_a_free_worker_is_held_too(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.down()
    with running(outage_settings, hub_workers=1) as hub:
        ana = hub.post("hola", source_id="ana").json()
        wait_holding(hub, ana["conversation_id"])  # ana's drain holds the only worker, retrying
        bea = hub.post("hi, is anyone there?", source_id="bea").json()
        [held] = wait_holding(hub, bea["conversation_id"])
        assert held["text"] == holding_text("en")
        assert attempts(hub, bea["id"]) == 0  # bea's message never reached the bot yet

        rasa_server.up()
        hub.wait_for_replies(bea["conversation_id"], 2)
        assert shown(hub.wait_idle(bea["conversation_id"])) == [
            ("incoming", "hi, is anyone there?"),
            ("activity", holding_text("en")),
            ("outgoing", "echo: hi, is anyone there?"),
        ]
        assert len(holding(hub.wait_idle(ana["conversation_id"]))) == 1
        assert sorted(c["message"] for c in rasa_server.answered) == ["hi, is anyone there?", "hola"]
