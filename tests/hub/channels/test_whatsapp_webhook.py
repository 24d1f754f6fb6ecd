"""WhatsApp webhook: verification, signatures, storing once, receipts, what the bot gets."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from hub_testing import HubClient
from pydantic import ValidationError
from whatsapp_testing import VERIFY_TOKEN, WhatsAppHub, sign, text, webhook

from hub.channels.whatsapp_settings import WhatsAppSettings

WEBHOOK = "/api/v1/channels/whatsapp/webhook"


def test_meta_verification_echoes_the_challenge(wa: WhatsAppHub) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = wa.client.get(WEBHOOK, params=params)
    assert response.status_code == 200
    assert response.text == "1158201444"


def test_verification_with_a_wrong_token_is_refused(wa: WhatsAppHub) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
    response = wa.client.get(WEBHOOK, params=params)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "webhook_verification_failed"
    assert "1158201444" not in response.text


@pytest.mark.parametrize(
    ("signature", "status", "code"),
    [(None, 401, "signature_missing"), ("sha256=" + "0" * 64, 403, "signature_invalid")],
)
def test_unsigned_or_badly_signed_posts_store_nothing(
    wa: WhatsAppHub, signature: str | None, status: int, code: str
) -> None:
    response = wa.post(webhook(text("hola")), signature=signature)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert wa.messages() == [] and wa.contacts() == []
    assert wa.rasa.calls == [] and wa.graph.requests == []


def test_a_signature_made_with_another_secret_is_refused(wa: WhatsAppHub) -> None:
    raw = json.dumps(webhook(text("hola"))).encode()
    response = wa.post(raw, signature=sign(raw, "someone-elses-secret"))
    assert response.status_code == 403
    assert wa.messages() == []


def test_malformed_json_is_a_clear_400(wa: WhatsAppHub) -> None:
    raw = b'{"object": "whatsapp_business_account", "entry": ['
    response = wa.post(raw)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_json"
    assert "JSON" in error["message"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (json.dumps(webhook(text("hola \ud800"))).encode(), "surrogate"),
        (json.dumps(webhook(text("hola \x00"))).encode(), "NUL"),
        (b'{"entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    ],
    ids=["lone-surrogate", "nul", "nested-100000"],
)
def test_a_signed_webhook_with_text_the_database_cannot_take_is_a_400(
    wa: WhatsAppHub, raw: bytes, why: str
) -> None:
    response = wa.post(raw)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "malformed_json"
    assert why in response.json()["error"]["message"]
    assert wa.messages() == [] and wa.contacts() == []
    wa.send(text("hola"))  # the next webhook is stored as ever


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_a_webhook_over_1_mb_is_a_413_before_the_signature_check(wa: WhatsAppHub, signed: bool) -> None:
    body = webhook(text("hola"))
    body["padding"] = "x" * 2 * 1024 * 1024
    response = wa.post(body, signature="auto" if signed else None)
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "body_too_large"
    assert wa.messages() == [] and wa.graph.requests == []


def test_text_is_stored_before_the_200_then_read_typing_and_answered(wa: WhatsAppHub) -> None:
    gate = wa.rasa.hold_replies()
    wamid = wa.send(text("¿Cuánto tarda el envío?"), name="Ana López")
    # The 200 came back while the bot was still thinking: the message was already stored.
    stored = wa.incoming(wamid)
    assert stored is not None and stored.text == "¿Cuánto tarda el envío?"
    assert wa.graph.sent() == []
    gate.set()
    wa.wait_idle(wamid)
    sent = wa.wait_sent(1)
    assert sent[0].body["to"] == "34600111222"
    assert sent[0].body["text"]["body"] == "echo: ¿Cuánto tarda el envío?"
    read = wa.graph.reads()
    assert len(read) == 1
    assert read[0].body == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": wamid,
        "typing_indicator": {"type": "text"},
    }
    assert [r.is_read for r in wa.graph.requests] == [True, False]  # the receipt came first
    [contact] = wa.contacts()
    assert contact.name == "Ana López"


def test_a_text_over_max_text_chars_is_stored_cut_with_a_visible_marker(wa: WhatsAppHub) -> None:
    long_text = "Hola, os cuento lo que pasó con mi pedido. " * 200  # 8,800 characters
    wamid = wa.send(text(long_text))
    message = wa.incoming(wamid)
    assert message is not None, "the long text was lost"
    assert len(message.text) == 4096
    assert message.text.startswith(long_text[:4000])
    assert message.text.endswith(f"[mensaje recortado: el original tenía {len(long_text)} caracteres]")
    assert (message.context or {})["truncated"] == {"original_chars": len(long_text)}
    conversation_id = message.conversation_id
    shown = [m["text"] for m in wa.hub.messages(conversation_id) if m["message_type"] == "incoming"]
    assert shown == [message.text]  # what agents and transcripts read, marker included


def test_one_contact_per_phone_number(wa: WhatsAppHub) -> None:
    first = wa.send(text("hola"), wa_id="34600999888", name="Luis")
    second = wa.send(text("¿seguís ahí?"), wa_id="34600999888", name="Luis")
    wa.wait_idle(second)
    assert len(wa.contacts()) == 1
    a, b = wa.incoming(first), wa.incoming(second)
    assert a is not None and b is not None
    assert a.contact_id == b.contact_id and a.conversation_id == b.conversation_id


def test_concurrent_redeliveries_of_one_wamid_store_and_answer_once(wa: WhatsAppHub) -> None:
    body = webhook(text("hola, quiero devolver un pedido"), wamid="wamid.SAME0001")
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _: wa.post(body), range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    wa.wait_idle("wamid.SAME0001")
    wa.wait_sent(1)
    wa.wait_outbox_settled(messages=1)
    incoming = [m for m in wa.messages() if m.message_type == "incoming"]
    assert len(incoming) == 1
    assert len(wa.rasa.calls) == 1
    assert len(wa.graph.sent()) == 1
    assert len(wa.graph.reads()) == 1


def test_a_button_reply_sends_its_id_to_the_bot_and_shows_its_title(wa: WhatsAppHub) -> None:
    reply = {"type": "button_reply", "button_reply": {"id": "/order_status", "title": "Mi pedido"}}
    wamid = wa.send({"type": "interactive", "interactive": reply})
    wa.wait_idle(wamid)
    assert wa.rasa.calls[0]["message"] == "/order_status"
    stored = wa.incoming(wamid)
    assert stored is not None and stored.text == "Mi pedido"


def test_a_list_reply_and_a_template_quick_reply_reach_the_bot(wa: WhatsAppHub) -> None:
    row = {
        "type": "list_reply",
        "list_reply": {"id": "/faq_envios", "title": "Envíos", "description": "Plazos"},
    }
    first = wa.send({"type": "interactive", "interactive": row})
    wa.wait_idle(first)
    second = wa.send({"type": "button", "button": {"text": "Sí, seguir", "payload": "/affirm"}})
    wa.wait_idle(second)
    assert [c["message"] for c in wa.rasa.calls] == ["/faq_envios", "/affirm"]
    stored = wa.incoming(second)
    assert stored is not None and stored.text == "Sí, seguir"


def test_a_location_in_an_english_conversation_gets_the_english_reply(wa: WhatsAppHub) -> None:
    first = wa.send(text("Hello, how long does shipping take to London?"))
    wa.wait_idle(first)
    wa.wait_sent(1)
    location = {"latitude": 51.5, "longitude": -0.12, "name": "Home"}
    wamid = wa.send({"type": "location", "location": location})
    sent = wa.wait_sent(2)
    assert "I can only read text" in sent[1].body["text"]["body"]
    assert "person" not in sent[1].body["text"]["body"]  # nobody was promised
    stored = wa.incoming(wamid)
    assert stored is not None and stored.context is not None
    assert stored.context["media"]["latitude"] == 51.5


def test_an_unknown_type_is_acknowledged_and_logged(
    wa: WhatsAppHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hub.channels.whatsapp_inbound")
    response = wa.post(webhook({"type": "hologram", "hologram": {"id": "x"}}))
    assert response.status_code == 200
    assert any("unsupported whatsapp message type" in r.getMessage() for r in caplog.records)
    assert wa.messages() == []
    assert wa.rasa.calls == []


def test_a_message_for_another_phone_number_is_ignored(wa: WhatsAppHub) -> None:
    body = webhook(text("hola"))
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert wa.post(body).status_code == 200
    assert wa.messages() == []


def test_the_webhook_says_when_the_channel_is_off(hub: HubClient) -> None:
    response = hub.client.post(WEBHOOK, json=webhook(text("hola")))
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "channel_disabled" and "WHATSAPP_ENABLED" in error["message"]


def test_enabling_whatsapp_without_credentials_fails_naming_them() -> None:
    with pytest.raises(ValidationError) as caught:
        WhatsAppSettings(enabled=True, access_token="t")
    message = str(caught.value)
    assert "WHATSAPP_APP_SECRET" in message and "WHATSAPP_PHONE_NUMBER_ID" in message
    assert "WHATSAPP_ACCESS_TOKEN" not in message


def test_the_bot_is_told_the_whatsapp_number_meta_proved(wa: WhatsAppHub) -> None:
    """So an order's details go to the customer it belongs to (actions/order_owner.py)."""
    wamid = wa.send(text("¿dónde está mi pedido AB-12345?"), wa_id="34600111222")
    wa.wait_idle(wamid)
    contact = wa.rasa.calls[0]["metadata"]["contact"]
    assert (contact["phone"], contact["phone_verified"]) == ("34600111222", True)
