"""Did Rasa already run this message's turn? Read from its tracker, so a message is never one turn twice.

The hub sends every message to Rasa with ``metadata.message_id`` (hub/turns/answer.py), and Rasa keeps
that metadata on the tracker's ``user`` event. When a hub process dies after Rasa took the message but
before the answer was stored (``kill -9``), the message is still ``queued`` and is sent again after the
restart: Rasa would run the turn twice (custom actions with side effects too). hub/turns/ask.py asks
:func:`past_turn` first for a message that may have reached Rasa before (``Message.bot_asked_at`` set):

- the turn is there with its replies -> they are the answer; Rasa is not asked again;
- the turn is there without anything shown (the process died mid-turn, or Rasa's action server was
  down) -> undo it (``rewind``) and ask again, so the message is one user turn in the tracker;
- it is not there (or was undone) -> ask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from hub.bot import BotReply, RasaClient, RasaError, parse_replies

__all__ = ["PastTurn", "past_turn", "turn_in_events"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PastTurn:
    """The message's latest turn still standing in the tracker, and what the bot said in it."""

    replies: list[BotReply] = field(default_factory=list)


def _as_reply(event: dict[str, Any]) -> dict[str, Any]:
    """A tracker ``bot`` event in the REST webhook's reply shape (text, buttons, custom, image)."""
    data = event.get("data") or {}
    item: dict[str, Any] = {"text": event.get("text")}
    for key in ("buttons", "custom", "image"):
        if data.get(key):
            item[key] = data[key]
    return item


def turn_in_events(events: list[Any], message_id: int) -> PastTurn | None:
    """The last ``user`` event carrying ``message_id`` that no ``rewind`` undid, with its bot events."""
    found: list[dict[str, Any]] | None = None
    current: list[dict[str, Any]] | None = None
    for event in events:
        if not isinstance(event, dict):
            continue
        kind = event.get("event")
        if kind == "user":
            metadata = event.get("metadata") or {}
            mine = isinstance(metadata, dict) and str(metadata.get("message_id")) == str(message_id)
            current = [] if mine else None
            if mine:
                found = current
        elif kind == "rewind":
            if current is not None and found is current:
                found = None  # that turn was undone
            current = None
        elif kind == "bot" and current is not None:
            current.append(_as_reply(event))
    if found is None:
        return None
    return PastTurn(replies=parse_replies(found))


async def past_turn(rasa: RasaClient, *, sender: str, message_id: int) -> PastTurn | None:
    """The message's turn in Rasa's tracker of ``sender``; None when absent or the tracker is unreadable.

    Unreadable (Rasa down) counts as absent: the message is then sent, and Rasa being down, retried.
    """
    events = await rasa.tracker_events(sender)
    if events is None:
        return None
    try:
        return turn_in_events(events, message_id)
    except RasaError as exc:  # a reply the hub cannot read: ask again instead
        log.warning("unreadable turn in the Rasa tracker", extra={"sender": sender, "error": str(exc)})
        return None
