"""Client of the Rasa server: REST webhook for replies, tracker API for NLU context.

``send`` raises :class:`RasaUnavailable` when Rasa cannot be reached (retry later, forever)
and :class:`RasaError` when it answers with an error or garbage (retry a bounded number of
times).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from hub import rasa_servers

__all__ = ["BotAnswer", "BotReply", "Button", "RasaClient", "RasaError", "RasaUnavailable"]

log = logging.getLogger(__name__)

#: Seconds /healthz waits for Rasa's ``GET /`` before reporting it down.
HEALTH_TIMEOUT = 1.0


class RasaUnavailable(Exception):
    """Rasa did not answer (connection refused, timeout, 502/503/504)."""


class RasaError(Exception):
    """Rasa answered with an error status or a body the hub cannot read."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class BotReply:
    """One item of Rasa's answer: text and/or buttons and/or a custom payload."""

    text: str | None = None
    buttons: list[Button] = field(default_factory=list)
    custom: dict[str, Any] | None = None


@dataclass(frozen=True)
class BotAnswer:
    """Rasa's answer to one turn, typed: what the customer sees and the custom payloads the hub reads.

    ``{"handoff": {"reason", "detail"}}`` asks for a person (the turn policy decides), ``{"kb":
    {"decision", "reason", "candidates"}}`` is kept for agents; ``{"turn": {"message_id", "intent",
    "intent_ranking", "entities"}}`` is the action server's mark that it ran the turn (actions/language.py,
    :meth:`ran_for`); other custom payloads are kept as they are.
    """

    shown: list[BotReply]  # replies with text or buttons, in order
    handoff: dict[str, Any] | None = None
    kb: dict[str, Any] | None = None
    custom: list[dict[str, Any]] = field(default_factory=list)
    turn: dict[str, Any] | None = None
    #: Rasa's own fallback (``utter_default``, domain.yml: ``{"fallback": true}``): it did not understand.
    fallback: bool = False

    @property
    def answered(self) -> bool:
        """The customer sees a reply, or a person is asked for (a handoff payload without text).

        Rasa 3.6 answers 200 with nothing when its action server is down (the action's exception is
        logged, "Bot will continue, but the actions events are lost"), so an empty turn is not an answer.
        """
        return bool(self.shown) or self.handoff is not None

    def ran_for(self, message_id: int) -> bool:
        """The action server ran this turn for the hub's message ``message_id`` (its mark is here).

        Without it the action server was down: Rasa went on without the custom actions and may have
        answered with its fallback ("Perdona, no te he entendido"), which is no answer either."""
        return self.turn is not None and str(self.turn.get("message_id")) == str(message_id)

    @property
    def nlu(self) -> dict[str, Any] | None:
        """Rasa's NLU of the turn from the action server's mark (as :func:`parse_nlu` reads it from the
        tracker), so the hub need not ask the tracker for it; None when the mark carries none."""
        if self.turn is None or not isinstance(self.turn.get("intent"), dict):
            return None
        return parse_nlu(self.turn)

    @property
    def kb_decision(self) -> str | None:
        decision = (self.kb or {}).get("decision")
        return decision if isinstance(decision, str) else None

    @classmethod
    def of(cls, replies: list[BotReply]) -> BotAnswer:
        handoff: dict[str, Any] | None = None
        kb: dict[str, Any] | None = None
        turn: dict[str, Any] | None = None
        fallback = False
        custom: list[dict[str, Any]] = []
        for reply in replies:
            if not reply.custom:
                continue
            if isinstance(reply.custom.get("handoff"), dict):
                handoff = reply.custom["handoff"]
            if isinstance(reply.custom.get("kb"), dict):
                kb = reply.custom["kb"]
            if isinstance(reply.custom.get("turn"), dict):
                turn = reply.custom["turn"]
            fallback = fallback or reply.custom.get("fallback") is True
            other = {
                k: v for k, v in reply.custom.items() if k not in ("handoff", "kb", "turn", "fallback")
            }
            if other:
                custom.append(other)
        shown = [reply for reply in replies if reply.text or reply.buttons]
        return cls(shown=shown, handoff=handoff, kb=kb, custom=custom, turn=turn, fallback=fallback)


def parse_replies(body: Any) -> list[BotReply]:
    """Rasa's REST channel answer (a list of dicts) -> replies; RasaError if malformed."""
    if not isinstance(body, list):
        raise RasaError(f"expected a JSON list from the Rasa webhook, got {type(body).__name__}")
    replies: list[BotReply] = []
    for item in body:
        if not isinstance(item, dict):
            raise RasaError("a Rasa reply item is not a JSON object")
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        ]
        text = item.get("text")
        custom = item.get("custom")
        if item.get("image") and not text:
            text = str(item["image"])
        replies.append(
            BotReply(
                text=str(text) if text else None,
                buttons=buttons,
                custom=custom if isinstance(custom, dict) else None,
            )
        )
    return replies


def parse_nlu(latest_message: dict[str, Any]) -> dict[str, Any]:
    """Tracker ``latest_message`` -> the ``nlu`` context stored on the incoming message."""
    intent = latest_message.get("intent") or {}
    return {
        "intent": intent.get("name"),
        "confidence": intent.get("confidence"),
        "intent_ranking": [
            {"name": r.get("name"), "confidence": r.get("confidence")}
            for r in (latest_message.get("intent_ranking") or [])[:10]
        ],
        "entities": [
            {k: e.get(k) for k in ("entity", "value", "start", "end", "confidence_entity", "extractor")}
            for e in latest_message.get("entities") or []
        ],
    }


class RasaClient:
    """Talks to the Rasa server(s) over an injected ``httpx.AsyncClient`` (the test seam).

    ``base_url`` is one base URL or several separated by commas (hub/rasa_servers.py): each conversation
    (``sender``) talks to its own server, and to the next while that one cannot be reached.
    """

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str | None = None) -> None:
        self._http = http
        self._bases = rasa_servers.parse(base_url)
        self._token = token

    def _tracker_url(self, sender: str, tail: str = "") -> str:
        """``/conversations/<sender>/tracker`` on the conversation's own Rasa server."""
        return f"{self._bases_for(sender)[0]}/conversations/{sender}/tracker{tail}"

    def _bases_for(self, sender: str) -> list[str]:
        return rasa_servers.for_sender(self._bases, sender)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        payload = {"sender": sender, "message": text, "metadata": metadata}
        servers = self._bases_for(sender)
        for position, base in enumerate(servers):
            try:
                return await self._send_to(base, payload)
            except RasaUnavailable as exc:
                # Not reached (refused, 502/503): the next server may take it. A read timeout is not
                # passed on: that server may be running the turn (hub/bot_tracker.py sorts it out).
                never_reached = exc.__cause__ is None or isinstance(
                    exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout)
                )
                if position == len(servers) - 1 or not never_reached:
                    raise
                log.warning(
                    "Rasa server unavailable, trying the next", extra={"rasa": base, "error": f"{exc}"}
                )
        raise AssertionError("unreachable: at least one Rasa server")

    async def _send_to(self, base: str, payload: dict[str, Any]) -> list[BotReply]:
        try:
            response = await self._http.post(f"{base}/webhooks/rest/webhook", json=payload)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (502, 503, 504):
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        if response.status_code >= 400:
            raise RasaError(f"Rasa answered {response.status_code}: {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as exc:
            raise RasaError("Rasa answered something that is not JSON") from exc
        return parse_replies(body)

    async def rewind(self, sender: str) -> bool:
        """Undo the tracker's latest user turn (Rasa's ``rewind`` event), so a retried message is one turn.

        False (logged) when Rasa cannot be reached or refuses it.
        """
        params = {"token": self._token} if self._token else {}
        try:
            response = await self._http.post(
                self._tracker_url(sender, "/events"), params=params, json={"event": "rewind"}
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("could not rewind the Rasa tracker", extra={"sender": sender, "error": str(exc)})
            return False
        return True

    async def tracker_events(self, sender: str) -> list[Any] | None:
        """The tracker's events (after the last restart); None (logged) when Rasa cannot tell."""
        params = {"token": self._token} if self._token else {}
        try:
            response = await self._http.get(self._tracker_url(sender), params=params)
            response.raise_for_status()
            events = response.json().get("events")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("could not read the Rasa tracker", extra={"sender": sender, "error": str(exc)})
            return None
        return events if isinstance(events, list) else []

    async def latest_nlu(self, sender: str, text: str) -> dict[str, Any] | None:
        """NLU of the tracker's latest user message if it is ``text``; None otherwise or on error.

        ``include_events=NONE``: the tracker's state without its event list, which grows with every turn
        and which Rasa would otherwise serialise (and the hub parse) after each turn just for this."""
        params = {"include_events": "NONE", **({"token": self._token} if self._token else {})}
        try:
            response = await self._http.get(self._tracker_url(sender), params=params)
            response.raise_for_status()
            latest = response.json().get("latest_message") or {}
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("could not read the Rasa tracker", extra={"sender": sender, "error": str(exc)})
            return None
        if (latest.get("text") or "").strip() != text.strip():
            return None
        return parse_nlu(latest)

    async def is_up(self, timeout: float = HEALTH_TIMEOUT) -> bool:
        """A Rasa server answers ``GET /`` within ``timeout`` s (hung = down; /healthz never blocks)."""
        answers = await asyncio.gather(*(self._up(base, timeout) for base in self._bases))
        return any(answers)

    async def _up(self, base: str, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):
                response = await self._http.get(f"{base}/", timeout=timeout)
        except (httpx.HTTPError, TimeoutError):
            return False
        return response.status_code < 500
