"""The WhatsApp Cloud API webhook: ``/api/v1/channels/whatsapp/webhook`` (configure it at Meta).

GET answers Meta's verification challenge; POST is checked against X-Hub-Signature-256,
stored, and answered 200 before the bot or the Graph API are involved.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from hub.api.deps import ChannelsDep, DatabaseDep, DeliveryDep, PolicyDep, ReceiverDep, SettingsDep
from hub.channels.base import Channel
from hub.channels.whatsapp import WHATSAPP, WhatsAppChannel
from hub.channels.whatsapp_inbound import WhatsAppInbound, parse_body, verify_signature
from hub.errors import ChannelDisabled, WebhookVerificationFailed

__all__ = ["router"]

router = APIRouter(prefix="/channels/whatsapp", tags=["whatsapp"])


def _channel(channels: Mapping[str, Channel]) -> WhatsAppChannel:
    channel = channels.get(WHATSAPP)
    if not isinstance(channel, WhatsAppChannel):
        raise ChannelDisabled(WHATSAPP, "WHATSAPP_ENABLED")
    return channel


@router.get("/webhook", response_class=PlainTextResponse)
async def verify_webhook(
    channels: ChannelsDep,
    settings: SettingsDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> PlainTextResponse:
    """Meta's subscription check: echo ``hub.challenge`` when the verify token matches."""
    _channel(channels)
    expected = settings.whatsapp.verify_token
    matches = bool(expected) and hmac.compare_digest((token or "").encode(), expected.encode())
    if mode != "subscribe" or not matches:
        raise WebhookVerificationFailed()
    return PlainTextResponse(challenge or "")


@router.post("/webhook")
async def receive(
    request: Request,
    channels: ChannelsDep,
    settings: SettingsDep,
    receiver: ReceiverDep,
    db: DatabaseDep,
    delivery: DeliveryDep,
    policy: PolicyDep,
) -> dict[str, str]:
    """Messages and delivery statuses from Meta; 200 once stored (bot work comes after)."""
    channel = _channel(channels)
    body = await request.body()
    verify_signature(settings.whatsapp.app_secret, body, request.headers.get("x-hub-signature-256"))
    inbound = WhatsAppInbound(
        receiver=receiver,
        db=db,
        delivery=delivery,
        policy=policy,
        phone_number_id=settings.whatsapp.phone_number_id,
        max_text_chars=settings.max_text_chars,
    )
    await inbound.receive_webhook(channel, parse_body(body))
    return {"status": "ok"}
