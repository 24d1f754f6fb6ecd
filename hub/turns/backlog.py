"""Past capacity: how long the queue in front of a customer will take, and who cannot make the deadline.

While customers are kept waiting, Rasa answers as many turns a second as it can (``rate``: the stored
``bot_replied`` / ``bot_failed`` events of the last :data:`WINDOW` seconds, so every worker process sees
the same figure; counted only over the span in which every sweep found someone waiting, see
:class:`Saturation`: after a quiet spell the rate measures arrivals, not capacity). The bot's queue is
first come, first served (hub/jobs.py, the sweep below), so the message at position ``k`` of the queue
(0 = oldest) should be answered ``(k + 1) / rate`` seconds from now.

- **Predicted late** (its wait so far plus that exceeds ``BOT_HANDOFF_AFTER``): it will not be answered in
  time, so it goes to a person now (reason ``bot_busy``), instead of waiting out the deadline and taking
  Rasa's time from customers behind it who can still make theirs. Older messages keep their places: the
  bot goes on answering in order.
- **Late but within the deadline**: the customer's one holding message says so honestly, with the
  estimated wait (hub/turns/deadlines.py ``hold``); one per conversation while it waits, not one per
  message.

Only past capacity (more queued than Rasa answers in ``BOT_HOLDING_AFTER`` seconds) and only while Rasa
answers (a turn completed in the last :data:`RECENT` seconds): a stalled or down Rasa is an outage, where
the deadline alone hands off and the holding message says nothing about a queue. :func:`plan` is pure;
hub/turns/sweep.py reads the rows and acts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from hub.models import Event

__all__ = [
    "MIN_SPAN",
    "RECENT",
    "WAITING",
    "WINDOW",
    "Late",
    "Plan",
    "Saturation",
    "plan",
    "rounded_wait",
    "turn_rate",
]

#: Seconds of completed turns the answer rate is measured over.
WINDOW = 20.0

#: A message queued this long is waiting for capacity, not just being answered.
WAITING = 2.0

#: Saturated for less than this: too short to measure what Rasa can do, nothing predicted.
MIN_SPAN = 5.0

#: Without a completed turn in this many seconds, Rasa is not answering: no forecast.
RECENT = 5.0

#: Turn outcomes that end a bot turn (hub/turns/answer.py).
_TURN_DONE = ("bot_replied", "bot_failed")


class Saturation:
    """Since when customers have been kept waiting, as the sweep saw it every second.

    Turns completed per second measure what Rasa *can* do only while there was always more to do: after
    a quiet spell they measure the arrivals, and a burst would look like an overload. So the rate counts
    only over the span in which every sweep found a message waiting at least :data:`WAITING` seconds.
    """

    def __init__(self) -> None:
        self._since: float | None = None

    def saw(self, *, now: float, oldest_wait: float | None) -> None:
        """One sweep: ``oldest_wait`` = seconds the oldest queued message waited (None: nothing queued)."""
        if oldest_wait is not None and oldest_wait >= WAITING:
            self._since = now if self._since is None else self._since
        else:
            self._since = None

    def span(self, now: float) -> float:
        """Seconds customers have been kept waiting without a break (0: they are not)."""
        return 0.0 if self._since is None else now - self._since


async def turn_rate(session: AsyncSession, *, now: datetime, window: float = WINDOW) -> float:
    """Bot turns completed per second over the last ``window`` seconds, by every process; 0 when none
    completed in the last :data:`RECENT` seconds (Rasa stalled or down: an outage, not a backlog)."""
    since = now - timedelta(seconds=window)
    recent = now - timedelta(seconds=RECENT)
    done = sa.func.count(Event.id)
    latest = sa.func.max(Event.created_at)
    query = sa.select(done, latest).where(Event.kind.in_(_TURN_DONE), Event.created_at >= since)
    count, last = (await session.execute(query)).one()
    if not count or last is None or last < recent:
        return 0.0
    return float(count) / window


@dataclass(frozen=True)
class Late:
    """A conversation whose oldest queued message cannot be answered within the deadline."""

    message_id: int
    conversation_id: int
    waited: float
    expected_wait: float


@dataclass(frozen=True)
class Plan:
    late: list[Late]  # to a person now, oldest first
    eta: dict[int, float]  # conversation id -> expected seconds until its oldest message is answered


def plan(
    waits: Sequence[tuple[int, int, float]], *, rate: float, holding_after: float, handoff_after: float
) -> Plan:
    """``waits``: (message id, conversation id, seconds waited) of every queued message, oldest first.

    Only past capacity: more messages queued than Rasa answers in ``holding_after`` seconds (a message
    that is merely slow, or Rasa stalled (rate 0), is the deadlines' business, hub/turns/deadlines.py).

    A message's expected wait counts the messages ahead of it that stay with the bot: a conversation
    handed off frees its place (and its later messages', which go to the person too).
    """
    late: list[Late] = []
    eta: dict[int, float] = {}
    if rate <= 0 or len(waits) <= rate * holding_after:
        return Plan(late=late, eta=eta)
    shed: set[int] = set()
    ahead = 0
    for message_id, conversation_id, waited in waits:
        if conversation_id in shed:
            continue
        expected = (ahead + 1) / rate
        if conversation_id not in eta:
            if 0 < handoff_after < waited + expected:
                shed.add(conversation_id)
                late.append(Late(message_id, conversation_id, waited, expected))
                continue
            eta[conversation_id] = expected
        ahead += 1
    return Plan(late=late, eta=eta)


def rounded_wait(seconds: float) -> int:
    """A wait to tell a customer: whole tens of seconds, at least 10."""
    return max(10, math.ceil(seconds / 10.0) * 10)
