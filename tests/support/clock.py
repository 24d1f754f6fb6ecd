"""A clock tests move by hand, installed as the hub's one clock (hub/clock.py) by the ``clock`` fixture."""

from __future__ import annotations

from datetime import datetime

__all__ = ["ManualClock"]


class ManualClock:
    """``now`` is what every part of the hub reads as the current time until the test changes it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
