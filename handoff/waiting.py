"""When a customer waiting for a person has left: the rule of the policy file's ``waiting`` section.

A waiting customer is never dropped for silence alone (issue 18, item 1):

- silent for HANDOFF_ABANDON_AFTER seconds (counted from their last message, their request, or the
  desk's next opening when they asked while it was closed) they are asked "¿Sigues ahí?"; any answer
  keeps their place and starts the count again; no answer within ``answer_within`` seconds ends the
  wait (cause ``no_answer``);
- on WhatsApp nothing is closed for silence while the 24-hour customer-service window is open: the
  question is asked ``answer_within`` seconds before the window closes (an answer opens it again), and
  the wait ends, without an answer, when it has closed; a window that closed while the desk was closed
  (a Friday-night message) leaves the wait to the agents;
- a widget closed (every tab of the visitor) for ``widget_gone_after`` seconds with no message since
  ends the wait (cause ``widget_closed``): the customer left;
- while the desk is closed for the conversation (business hours) nothing is asked or ended.

:func:`verdict` is the pure rule; handoff/abandonment.py gathers the facts and acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

__all__ = ["WHATSAPP_WINDOW", "Facts", "Verdict", "WaitingRule", "parse_rule", "verdict"]

#: Meta's customer-service window: free-form messages only within 24 hours of the customer's last one.
WHATSAPP_WINDOW = timedelta(hours=24)

_KEYS = ("answer_within", "widget_gone_after")


@dataclass(frozen=True)
class WaitingRule:
    """Seconds to answer "¿Sigues ahí?", and seconds a closed widget means the customer left."""

    answer_within: float = 600.0
    widget_gone_after: float = 900.0


def parse_rule(raw: Any, *, source: str) -> WaitingRule:
    """The ``waiting`` section; ValueError naming the file and key when it is wrong."""
    if raw is None:
        return WaitingRule()
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: waiting: expected a mapping ({', '.join(_KEYS)})")
    unknown = sorted(set(map(str, raw)) - set(_KEYS))
    if unknown:
        raise ValueError(f"{source}: waiting.{unknown[0]}: unknown key; use {', '.join(_KEYS)}")
    values: dict[str, float] = {}
    for key in _KEYS:
        if key not in raw:
            continue
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"{source}: waiting.{key}: expected a number of seconds > 0, got {value!r}")
        values[key] = float(value)
    return WaitingRule(**values)


@dataclass(frozen=True)
class Facts:
    """What the sweep knows of one waiting handoff."""

    channel: str
    requested_at: datetime
    last_incoming: datetime | None = None
    #: The last "¿Sigues ahí?" of this handoff.
    asked_at: datetime | None = None
    #: The visitor's widget closed then (every tab), and has not been opened again since.
    widget_closed_at: datetime | None = None
    #: The desk is closed now for this conversation (its language's or team's business hours).
    desk_closed: bool = False
    #: Asked while the desk was closed: the opening the customer was told about.
    held_until: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    action: Literal["wait", "ask", "abandon"]
    cause: str | None = None  # abandon: no_answer | widget_closed | whatsapp_window_closed


WAIT = Verdict("wait")


def verdict(facts: Facts, *, rule: WaitingRule, after: timedelta, now: datetime) -> Verdict:
    """Wait, ask "¿Sigues ahí?", or end the wait (with its cause)."""
    if facts.desk_closed:
        return WAIT
    last_word = max(facts.requested_at, facts.last_incoming or facts.requested_at)
    silent_since = max(last_word, facts.held_until or last_word)
    answer = timedelta(seconds=rule.answer_within)
    if facts.channel == "widget" and facts.widget_closed_at is not None:
        gone = facts.widget_closed_at >= last_word
        if gone and now - facts.widget_closed_at >= timedelta(seconds=rule.widget_gone_after):
            return Verdict("abandon", "widget_closed")
    ask_at = silent_since + after
    end_at: datetime | None = None
    if facts.channel == "whatsapp":
        window_end = last_word + WHATSAPP_WINDOW
        if facts.held_until is not None and facts.held_until >= window_end:
            return WAIT  # the window closed while the desk was: agents decide (nothing can be asked)
        ask_at = max(ask_at, window_end - answer)
        end_at = window_end
    asked = facts.asked_at if facts.asked_at is not None and facts.asked_at >= silent_since else None
    if asked is None:
        if end_at is not None and now >= end_at:  # the window closed unasked (the sweep was down)
            return Verdict("abandon", "whatsapp_window_closed")
        return Verdict("ask") if now >= ask_at else WAIT
    end_at = max(asked + answer, end_at or asked)
    return Verdict("abandon", "no_answer") if now >= end_at else WAIT
