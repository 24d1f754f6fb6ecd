"""Delivery statuses: only our number's, bounded memory for wamids not known yet (issue 15, finding 14)."""

from __future__ import annotations

import logging
import time

import pytest
from whatsapp_testing import WhatsAppHub, status_webhook, text

from hub.channels import whatsapp_statuses
from hub.channels.whatsapp import WhatsAppChannel
from hub.channels.whatsapp_payloads import StatusReport
from hub.channels.whatsapp_statuses import DeliveryStatuses


def _statuses(wa: WhatsAppHub) -> DeliveryStatuses:
    channel = wa.hub.services.channels["whatsapp"]
    assert isinstance(channel, WhatsAppChannel)
    return channel.outbox.statuses


def _bot_reply_wamid(wa: WhatsAppHub) -> tuple[int, str]:
    wamid = wa.send(text("hola"))
    wa.wait_sent(1)
    wa.wait_outbox_settled(messages=1)
    message = wa.incoming(wamid)
    assert message is not None
    reply = next(m for m in wa.messages() if m.in_reply_to_id == message.id and m.channel_message_id)
    assert reply.channel_message_id is not None
    return reply.id, reply.channel_message_id


def test_a_status_for_another_phone_number_id_is_ignored_and_logged(
    wa: WhatsAppHub, caplog: pytest.LogCaptureFixture
) -> None:
    reply_id, sent_id = _bot_reply_wamid(wa)
    foreign = status_webhook(sent_id, "read")
    foreign["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999999999"
    with caplog.at_level(logging.WARNING):
        assert wa.post(foreign).status_code == 200
    assert wa.message(reply_id).status != "read"
    assert "another phone number id" in caplog.text
    assert wa.post(status_webhook(sent_id, "read")).status_code == 200
    assert wa.message(reply_id).status == "read"


def test_many_statuses_for_one_unknown_wamid_keep_one_of_each_kind(wa: WhatsAppHub) -> None:
    statuses = _statuses(wa)

    async def flood() -> None:
        for i in range(400):
            await statuses.apply(
                StatusReport("wamid.UNKNOWN", ("sent", "delivered", "read", "failed")[i % 4])
            )

    wa.hub.call(flood)
    assert list(statuses._early) == ["wamid.UNKNOWN"]
    assert sorted(statuses._early["wamid.UNKNOWN"][1]) == ["delivered", "failed", "read", "sent"]


def test_unknown_wamids_are_kept_up_to_a_count_and_an_age(
    wa: WhatsAppHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = _statuses(wa)
    monkeypatch.setattr(whatsapp_statuses, "_EARLY_KEPT", 3)
    monkeypatch.setattr(whatsapp_statuses, "_EARLY_MAX_AGE", 0.5)

    async def report(*wamids: str) -> None:
        for wamid in wamids:
            await statuses.apply(StatusReport(wamid, "delivered"))

    wa.hub.call(lambda: report("w1", "w2", "w3", "w4", "w5"))
    assert list(statuses._early) == ["w3", "w4", "w5"]  # the oldest dropped first
    time.sleep(0.6)
    wa.hub.call(lambda: report("w6"))
    assert list(statuses._early) == ["w6"]  # the old ones aged out
