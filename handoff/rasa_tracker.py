"""Keep Rasa's tracker true while humans own a conversation: pause on handoff, resume on hand-back;
read its slots for the agent's context.

``POST {RASA_URL}/conversations/{id}/tracker/events`` with ``{"event": "pause"}`` / ``{"event":
"resume"}``. Failures are logged, never raised: the hub does not send Rasa messages of an open
conversation anyway, so a missed pause only makes Rasa's own record less exact. Calls give up after 5 s.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

__all__ = ["RasaTracker"]

log = logging.getLogger(__name__)

#: A hung Rasa (e.g. the hub gave up on it: reason bot_unavailable) must not hold up the handoff.
_TIMEOUT = 5.0


class RasaTracker:
    """Rasa's HTTP API for one conversation's tracker (``RASA_URL``, ``?token=RASA_TOKEN`` if set)."""

    def __init__(self, *, http: httpx.AsyncClient, rasa_url: str, rasa_token: str | None) -> None:
        self._http = http
        self._base = rasa_url.rstrip("/")
        self._params = {"token": rasa_token} if rasa_token else {}

    async def _event(self, conversation_id: int, event: str) -> bool:
        url = f"{self._base}/conversations/{conversation_id}/tracker/events"
        try:
            response = await self._http.post(
                url, params=self._params, json={"event": event}, timeout=_TIMEOUT
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning(
                "could not send an event to Rasa",
                extra={"conversation_id": conversation_id, "event": event, "error": str(exc)},
            )
            return False
        return True

    async def pause(self, *, conversation_id: int) -> bool:
        """Tell Rasa a human took over (its tracker records the conversation as paused)."""
        return await self._event(conversation_id, "pause")

    async def resume(self, *, conversation_id: int) -> bool:
        """Tell Rasa the bot is back in charge."""
        return await self._event(conversation_id, "resume")

    async def slots(self, *, conversation_id: int) -> Any:
        """The tracker's raw slots (None when Rasa cannot tell; failures are logged)."""
        url = f"{self._base}/conversations/{conversation_id}/tracker"
        try:
            response = await self._http.get(url, params=self._params)
            response.raise_for_status()
            return response.json().get("slots") or {}
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning(
                "could not read Rasa slots", extra={"conversation_id": conversation_id, "error": str(exc)}
            )
            return None
