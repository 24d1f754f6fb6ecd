"""WhatsApp delivery: split texts, buttons/lists, statuses, retries, restarts, the 24h window."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from whatsapp_testing import (
    WhatsAppHub,
    agent_reply,
    run_whatsapp_hub,
    status_webhook,
    text,
    whatsapp_settings,
)

from hub.channels import whatsapp_outbox_rows as rows
from hub.db import create_engine, session_factory
from hub.delivery import Delivery
from hub.models import Conversation, Message, OutboxEntry, utcnow
from hub.settings import Settings
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa


def _bot_reply(wa: WhatsAppHub, wamid: str) -> Message:
    wa.wait_idle(wamid)
    incoming = wa.incoming(wamid)
    assert incoming is not None
    [reply] = [m for m in wa.messages() if m.in_reply_to_id == incoming.id]
    return reply


def test_a_long_answer_arrives_in_parts_cut_after_sentences(wa: WhatsAppHub) -> None:
    answer = " ".join(
        f"Paso {i}: revisa el estado del pedido en tu cuenta y confirma la dirección." for i in range(80)
    )
    wa.rasa.reply = lambda _text, _meta: [{"text": answer}]
    wamid = wa.send(text("¿cómo hago una devolución?"))
    wa.wait_sent(2)
    wa.wait_outbox_settled(messages=2)
    texts = wa.graph.texts()
    assert len(texts) == 2
    assert all(len(t) <= 4096 for t in texts)
    assert texts[0].endswith(".")
    assert " ".join(texts) == answer
    assert _bot_reply(wa, wamid).status == "sent"


def test_a_bot_answer_goes_out_straight_from_its_turn(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer's rows are claimed in the answer's transaction and sent by the process that answered,
    right after the commit: no pass of the sender is needed (here the passes only take read receipts)."""
    due = rows.due

    async def reads_only(session: AsyncSession, now: datetime, limit: int) -> list[rows.Row]:
        return [row for row in await due(session, now, limit) if row.kind == "read"]

    monkeypatch.setattr(rows, "due", reads_only)
    with run_whatsapp_hub(settings, rasa, graph, whatsapp_poll_interval=600.0) as wa:
        rasa.reply = lambda _text, _meta: [{"text": "Tu pedido sale mañana."}]
        wamid = wa.send(text("dnd esta mi pedido"))
        wa.wait_outbox_settled(messages=1)
        assert wa.graph.texts() == ["Tu pedido sale mañana."]
        assert _bot_reply(wa, wamid).status == "sent"


def test_an_answer_in_several_messages_goes_out_whole_and_in_order_without_waiting_for_a_pass(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI
) -> None:
    """Rasa often answers a turn with several messages (a text, then options): they go out together, in
    order, straight from the turn, none of them left for the sender's next look (none here: 600 s)."""
    options = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    with run_whatsapp_hub(settings, rasa, graph, whatsapp_poll_interval=600.0) as wa:
        rasa.reply = lambda _text, _meta: [
            {"text": "Tu pedido sale mañana."},
            {"text": "¿Te ha servido?", "buttons": options},
        ]
        wa.send(text("dnd esta mi pedido"))
        sent = wa.wait_sent(2)
        assert sent[0].body["text"]["body"] == "Tu pedido sale mañana."
        assert sent[1].body["type"] == "interactive"
        wa.wait_outbox_settled(messages=2)


def test_a_bot_answer_goes_out_even_if_its_process_stops_right_after_storing_it(
    wa: WhatsAppHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer's sends are outbox rows committed with the answer: nothing after that commit is needed
    to send it (a worker killed there left the reply unsent until a restart's recovery). Its rows were
    claimed for that worker: another sender takes them when the claim's lease ends (a minute; 1 s here)."""
    monkeypatch.setattr(rows, "LEASE", timedelta(seconds=1))
    deliver = Delivery.deliver

    async def died_after_the_commit(
        self: Delivery, *, conversation: Conversation, messages: list[Message], staged: bool = False
    ) -> None:
        if any(m.sender_type == "bot" for m in messages):
            return  # the process is gone before it delivers (or sends)
        await deliver(self, conversation=conversation, messages=messages, staged=staged)

    monkeypatch.setattr(Delivery, "deliver", died_after_the_commit)
    wa.rasa.reply = lambda _text, _meta: [{"text": "Tu pedido sale mañana."}]
    wamid = wa.send(text("dnd esta mi pedido"))
    wa.wait_outbox_settled(messages=1)
    assert wa.graph.texts() == ["Tu pedido sale mañana."]
    reply = _bot_reply(wa, wamid)
    assert reply.status == "sent"
    assert reply.channel_message_id


def test_an_answer_waits_for_the_one_before_it_that_is_still_being_sent(wa: WhatsAppHub) -> None:
    """Answers sent straight from their turn still go out in order: while the first answer is held at the
    Graph API, the second is not claimed for a lane of its own; it goes after the first."""
    gate = threading.Event()
    held = threading.Event()

    def hold_the_first(_wamid: str, body: dict[str, Any]) -> None:
        if body.get("text", {}).get("body") == "primera":
            held.set()
            gate.wait(30)

    wa.graph.before_answer = hold_the_first
    wa.rasa.reply = lambda message, _meta: [{"text": "primera" if message == "uno" else "segunda"}]
    try:
        wa.send(text("uno"))
        wa.hub.wait_until(held.is_set, "the first answer held at the Graph API")
        second = wa.send(text("dos"))
        wa.wait_idle(second)  # answered and stored while the first is still on its way
        assert wa.graph.texts() == ["primera"]
    finally:
        gate.set()
    wa.wait_outbox_settled(messages=2)
    assert wa.graph.texts() == ["primera", "segunda"]


def test_an_answer_waits_for_the_retry_of_the_one_before_it(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI
) -> None:
    """The first answer was refused with 429 and waits for its retry (no lane sends it meanwhile): the
    second answer is not claimed to go straight out; it goes after the first."""
    overrides = {"whatsapp_retry_base": 2.0, "whatsapp_retry_max": 2.0}
    with run_whatsapp_hub(settings, rasa, graph, **overrides) as wa:
        rasa.reply = lambda message, _meta: [{"text": "primera" if message == "uno" else "segunda"}]
        gate = rasa.hold_replies()
        wa.send(text("uno"))
        wa.hub.wait_until(graph.reads, "read receipt sent")
        graph.fail_next(429)
        gate.set()
        refused = lambda: [r for r in graph.requests if r.answered == 429]  # noqa: E731
        wa.hub.wait_until(refused, "the first answer refused")
        second = wa.send(text("dos"))
        wa.wait_idle(second)  # answered and stored within the first's retry delay
        assert graph.texts() == []
        wa.wait_outbox_settled(messages=2)
        assert graph.texts() == ["primera", "segunda"]


def test_a_part_that_is_retried_still_arrives_before_the_next_part(wa: WhatsAppHub) -> None:
    answer = " ".join(f"Paso {i}: entra en tu cuenta, abre el pedido y pulsa en devolver." for i in range(90))
    wa.rasa.reply = lambda _text, _meta: [{"text": answer}]
    gate = wa.rasa.hold_replies()
    wa.send(text("¿cómo hago una devolución?"))
    wa.hub.wait_until(wa.graph.reads, "read receipt sent")
    wa.graph.fail_next(429)
    gate.set()
    wa.wait_sent(2)
    wa.wait_outbox_settled(messages=2)
    assert [r.answered for r in wa.graph.requests if not r.is_read] == [429, 200, 200]
    assert " ".join(wa.graph.texts()) == answer


def test_a_slow_send_to_one_customer_does_not_hold_back_another_customer(wa: WhatsAppHub) -> None:
    ana, luis = "34600111222", "34600333444"
    gate = threading.Event()
    held = threading.Event()

    def slow_for_ana(_wamid: str, body: dict[str, Any]) -> None:
        if body.get("to") == ana:
            held.set()
            gate.wait(30)

    wa.graph.before_answer = slow_for_ana
    try:
        wa.send(text("hola"), wa_id=ana, name="Ana")
        wa.hub.wait_until(held.is_set, "the answer to Ana held at the Graph API")
        wamid = wa.send(text("hola"), wa_id=luis, name="Luis")
        # Luis gets his "read + typing…" and his answer while the Graph API still holds Ana's.
        wa.hub.wait_until(
            lambda: [r for r in wa.graph.reads() if r.body.get("message_id") == wamid], "Luis's read receipt"
        )
        wa.hub.wait_until(lambda: [r for r in wa.graph.sent() if r.body.get("to") == luis], "Luis's answer")
        assert not gate.is_set()
    finally:
        gate.set()
    wa.wait_outbox_settled(messages=2)
    assert sorted(r.body["to"] for r in wa.graph.sent()) == [ana, luis]


def test_three_short_options_go_out_as_buttons_and_ones_a_button_would_cut_as_a_list(wa: WhatsAppHub) -> None:
    short = [
        {"title": "Estado del pedido", "payload": "/order_status"},
        {"title": "Devoluciones", "payload": "/returns"},
        {"title": "Una persona", "payload": "/human"},
    ]
    options = [
        {"title": "Estado del pedido", "payload": "/order_status"},
        {"title": "Devoluciones y cambios de talla", "payload": "/returns"},
        {"title": "Hablar con una persona", "payload": "/human"},
        {"title": "Gastos de envío", "payload": "/shipping_cost"},
        {"title": "Formas de pago disponibles en la tienda", "payload": "/payment"},
    ]
    wa.rasa.reply = lambda message, _meta: [
        {"text": "¿En qué te ayudo?", "buttons": short if message == "tres" else options[:3]}
    ]
    wa.send(text("tres"))
    wa.wait_sent(1)
    wa.send(text("cortadas"))
    first, second = wa.wait_sent(2)
    buttons = first.body["interactive"]
    assert buttons["type"] == "button"
    assert [b["reply"]["title"] for b in buttons["action"]["buttons"]] == [
        "Estado del pedido",
        "Devoluciones",
        "Una persona",
    ]
    listed = second.body["interactive"]  # not "Devoluciones y…", "Hablar con una…" on buttons
    assert listed["type"] == "list"
    rows = listed["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [o["payload"] for o in options[:3]]
    titles = ["Estado del pedido", "Devoluciones y cambios…", "Hablar con una persona"]
    assert [r["title"] for r in rows] == titles
    assert rows[1]["description"] == "Devoluciones y cambios de talla"


def test_statuses_in_any_order_never_go_backwards(wa: WhatsAppHub) -> None:
    wamid = wa.send(text("hola"))
    wa.wait_sent(1)
    wa.wait_outbox_settled(messages=1)
    reply = _bot_reply(wa, wamid)
    sent_id = reply.channel_message_id
    assert sent_id is not None and sent_id.startswith("wamid.FAKE")
    for status in ("read", "delivered", "sent"):
        assert wa.post(status_webhook(sent_id, status)).status_code == 200
    assert wa.message(reply.id).status == "read"


def test_a_status_that_arrives_before_the_send_is_recorded_is_not_lost(wa: WhatsAppHub) -> None:
    def report_delivered_at_once(wamid: str, _body: dict[str, Any]) -> None:
        assert wa.post(status_webhook(wamid, "delivered")).status_code == 200

    wa.graph.before_answer = report_delivered_at_once
    wamid = wa.send(text("hola"))
    wa.wait_sent(1)
    wa.wait_outbox_settled(messages=1)
    reply = _bot_reply(wa, wamid)
    assert wa.hub.wait_until(lambda: wa.message(reply.id).status == "delivered", "early status applied")


def test_delivered_then_failed_records_the_graph_error(wa: WhatsAppHub) -> None:
    wamid = wa.send(text("hola"))
    wa.wait_sent(1)
    wa.wait_outbox_settled(messages=1)
    reply = _bot_reply(wa, wamid)
    assert reply.channel_message_id is not None
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "More than 24 hours have passed since the customer last replied."},
    }
    wa.post(status_webhook(reply.channel_message_id, "delivered"))
    wa.post(status_webhook(reply.channel_message_id, "failed", error=error))
    stored = wa.message(reply.id)
    assert stored.status == "failed"
    assert stored.delivery_error is not None and stored.delivery_error["code"] == 131047
    assert "24 hours" in stored.delivery_error["details"]


@pytest.mark.parametrize("status", [429, 500])
def test_rate_limits_and_server_errors_are_retried_until_sent(wa: WhatsAppHub, status: int) -> None:
    gate = wa.rasa.hold_replies()
    wamid = wa.send(text("hola"))
    wa.hub.wait_until(wa.graph.reads, "read receipt sent")
    wa.graph.fail_next(status, times=2)
    gate.set()
    wa.wait_sent(1)
    wa.wait_outbox_settled(messages=1)
    attempts = [r for r in wa.graph.requests if not r.is_read]
    assert [r.answered for r in attempts] == [status, status, 200]
    assert attempts[0].body == attempts[2].body
    reply = _bot_reply(wa, wamid)
    assert reply.status == "sent" and reply.channel_message_id is not None


def test_a_refused_message_is_failed_with_the_graph_error_and_not_retried(wa: WhatsAppHub) -> None:
    gate = wa.rasa.hold_replies()
    wamid = wa.send(text("hola"))
    wa.hub.wait_until(wa.graph.reads, "read receipt sent")
    wa.graph.fail_next(400)
    gate.set()
    wa.wait_outbox_settled(messages=1)
    assert [r.answered for r in wa.graph.requests if not r.is_read] == [400]
    reply = _bot_reply(wa, wamid)
    assert reply.status == "failed"
    assert reply.delivery_error is not None
    assert reply.delivery_error["http_status"] == 400 and reply.delivery_error["code"] == 131009


def _write(settings: Settings, graph: FakeGraphAPI, conversation_id: int) -> None:
    """While the hub is down: one reply pending in the outbox, one that never reached it."""

    async def run() -> None:
        engine = create_engine(whatsapp_settings(settings, graph).db_url)
        try:
            async with session_factory(engine).begin() as session:
                conversation = await session.get(Conversation, conversation_id)
                assert conversation is not None
                for body in ("pendiente en la cola", "guardado sin cola"):
                    message = Message(
                        conversation_id=conversation.id,
                        contact_id=conversation.contact_id,
                        channel="whatsapp",
                        message_type="outgoing",
                        sender_type="agent",
                        text=body,
                        status="sent",
                    )
                    session.add(message)
                    await session.flush()
                    if body == "pendiente en la cola":
                        payload = {
                            "messaging_product": "whatsapp",
                            "recipient_type": "individual",
                            "to": conversation.source_id,
                            "type": "text",
                            "text": {"body": body, "preview_url": False},
                        }
                        session.add(
                            OutboxEntry(
                                channel="whatsapp",
                                kind="message",
                                conversation_id=conversation.id,
                                message_id=message.id,
                                payload=payload,
                            )
                        )
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_sends_left_pending_at_a_restart_go_out_after_the_next_start(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI
) -> None:
    with run_whatsapp_hub(settings, rasa, graph) as wa:
        wamid = wa.send(text("hola"))
        wa.wait_sent(1)
        wa.wait_outbox_settled(messages=1)
        incoming = wa.incoming(wamid)
        assert incoming is not None
    _write(settings, graph, incoming.conversation_id)
    with run_whatsapp_hub(settings, rasa, graph) as wa:
        wa.wait_sent(3)
        rows = wa.wait_outbox_settled(messages=3)
        assert sorted(wa.graph.texts()[1:]) == ["guardado sin cola", "pendiente en la cola"]
        assert all(r.state == "done" for r in rows)
        assert len(wa.graph.texts()) == 3  # nothing sent twice


def _age_incoming(wa: WhatsAppHub, hours: int) -> None:
    async def run(session: AsyncSession) -> None:
        await session.execute(
            sa.update(Message)
            .where(Message.message_type == "incoming")
            .values(created_at=utcnow() - timedelta(hours=hours))
        )
        await session.commit()

    wa.hub.db(run)


def test_outside_the_24h_window_the_template_goes_instead(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI
) -> None:
    overrides = {"whatsapp_template_name": "seguimiento_pedido", "whatsapp_template_language": "es"}
    with run_whatsapp_hub(settings, rasa, graph, **overrides) as wa:
        wamid = wa.send(text("hola"))
        wa.wait_sent(1)
        incoming = wa.incoming(wamid)
        assert incoming is not None
        _age_incoming(wa, 25)
        message_id = agent_reply(wa, incoming.conversation_id, "Ya tenemos tu reembolso listo.")
        sent = wa.wait_sent(2)
        assert sent[1].body["type"] == "template"
        assert sent[1].body["template"] == {"name": "seguimiento_pedido", "language": {"code": "es"}}
        wa.wait_outbox_settled(messages=2)
        assert wa.message(message_id).status == "sent"


def test_outside_the_24h_window_without_a_template_the_reason_is_recorded(wa: WhatsAppHub) -> None:
    wamid = wa.send(text("hola"))
    wa.wait_sent(1)
    incoming = wa.incoming(wamid)
    assert incoming is not None
    _age_incoming(wa, 25)
    message_id = agent_reply(wa, incoming.conversation_id, "Ya tenemos tu reembolso listo.")
    stored = wa.message(message_id)
    assert stored.status == "failed"
    assert stored.delivery_error is not None and stored.delivery_error["code"] == "outside_window"
    assert "WHATSAPP_TEMPLATE_NAME" in stored.delivery_error["message"]
    wa.wait_outbox_settled(messages=1)
    assert len(wa.graph.sent()) == 1
    [shown] = [m for m in wa.hub.messages(incoming.conversation_id) if m["id"] == message_id]
    assert shown["status"] == "failed"
    assert shown["delivery_error"]["code"] == "outside_window"  # agents see why


def test_inside_the_window_an_agent_reply_is_plain_text(wa: WhatsAppHub) -> None:
    wamid = wa.send(text("hola"))
    wa.wait_sent(1)
    incoming = wa.incoming(wamid)
    assert incoming is not None
    _age_incoming(wa, 23)
    agent_reply(wa, incoming.conversation_id, "Te escribe Marta, del equipo.")
    assert wa.wait_sent(2)[1].body["text"]["body"] == "Te escribe Marta, del equipo."


def test_with_one_send_at_a_time_every_customer_still_gets_read_and_answered_at_once(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI
) -> None:
    # One lane at a time and no polling to fall back on: what waits for a lane goes when one finishes.
    overrides = {"whatsapp_send_concurrency": 1, "whatsapp_poll_interval": 600.0}
    customers = ["34600111001", "34600111002", "34600111003"]
    with run_whatsapp_hub(settings, rasa, graph, **overrides) as wa:
        for wa_id in customers:
            wa.send(text("hola"), wa_id=wa_id, name="Cliente")
        wa.wait_sent(3)
        wa.wait_outbox_settled(messages=3)
        assert sorted(r.body["to"] for r in wa.graph.sent()) == customers
        assert len(wa.graph.reads()) == 3
