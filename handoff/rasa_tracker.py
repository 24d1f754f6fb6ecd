"""Keep Rasa's tracker true while humans own a conversation: pause on handoff, resume on hand-back.

``POST {RASA_URL}/conversations/{id}/tracker/events`` with ``{"event": "pause"}`` / ``{"event":
"resume"}``. Failures are logged, never raised: the hub does not send Rasa messages of an open
conversation anyway, so a missed pause only makes Rasa's own record less exact. Calls give up after 5 s.
"""

from __future__ import annotations

import logging

import httpx

from hub.services import Services

__all__ = ["pause", "resume"]

log = logging.getLogger(__name__)

#: A hung Rasa (e.g. the hub gave up on it: reason bot_unavailable) must not hold up the handoff.
_TIMEOUT = 5.0


async def _event(services: Services, conversation_id: int, event: str) -> bool:
    settings = services.settings
    url = f"{settings.rasa_url.rstrip('/')}/conversations/{conversation_id}/tracker/events"
    params = {"token": settings.rasa_token} if settings.rasa_token else {}
    try:
        response = await services.http.post(url, params=params, json={"event": event}, timeout=_TIMEOUT)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning(
            "could not send an event to Rasa",
            extra={"conversation_id": conversation_id, "event": event, "error": str(exc)},
        )
        return False
    return True


async def pause(services: Services, *, conversation_id: int) -> bool:
    """Tell Rasa a human took over (its tracker records the conversation as paused)."""
    return await _event(services, conversation_id, "pause")


async def resume(services: Services, *, conversation_id: int) -> bool:
    """Tell Rasa the bot is back in charge."""
    return await _event(services, conversation_id, "resume")
