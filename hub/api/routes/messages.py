"""POST /api/v1/messages: the channel-neutral way in (the api channel only)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.api_key_auth import MessagesWriteKey
from hub.api.deps import ChannelsDep, ReceiverDep
from hub.errors import ChannelHasItsOwnEntry, UnknownChannel
from hub.schemas import IncomingMessage, Receipt

__all__ = ["router"]

router = APIRouter(tags=["messages"])

API_CHANNEL = "api"


@router.post("/messages", status_code=202, response_model=Receipt)
async def post_message(
    body: IncomingMessage,
    channels: ChannelsDep,
    receiver: ReceiverDep,
    response: Response,
    _key: MessagesWriteKey,
) -> Receipt:
    """Store the customer's message and acknowledge it (202); the same id again -> 200.

    Needs ``Authorization: Bearer <API key>`` with the ``messages:write`` scope (401, 403).
    Only ``"channel": "api"``: widget and WhatsApp messages come through their own, authenticated
    entry points (422 ``channel_not_accepted`` here, nothing stored). The bot's answer arrives over
    the websockets and in GET /conversations/{id}/messages.
    """
    if body.channel != API_CHANNEL:
        if body.channel in channels or body.channel in ChannelHasItsOwnEntry.ENTRIES:
            raise ChannelHasItsOwnEntry(body.channel)
        raise UnknownChannel(body.channel, [API_CHANNEL])
    result = await receiver.receive(body)
    if not result.created:
        response.status_code = 200
    return result.receipt
