"""POST /api/v1/messages: the channel-neutral way in."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub import intake
from hub.api.deps import ServicesDep
from hub.schemas import IncomingMessage, Receipt

__all__ = ["router"]

router = APIRouter(tags=["messages"])


@router.post("/messages", status_code=202, response_model=Receipt)
async def post_message(body: IncomingMessage, services: ServicesDep, response: Response) -> Receipt:
    """Store the customer's message and acknowledge it (202); the same id again -> 200.

    The bot's answer arrives over the websockets and in GET /conversations/{id}/messages.
    """
    result = await intake.receive(services, body)
    if not result.created:
        response.status_code = 200
    return result.receipt
