"""After a fault and the drain: what became of each message of the run, read from the hub database and
Rasa's trackers with ops/outcomes.py (the operator walk reads them the same way)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg

from ops.outcomes import Outcome, Tally, conninfo, rasa_user_turns, read_outcomes

__all__ = ["Outcome", "Verdict", "pending", "rasa_user_turns", "read_verdict", "wait_drained"]


@dataclass
class Verdict(Tally):
    case: str
    sent: int
    rows: Counter[str] = field(default_factory=Counter)  # client message id -> incoming rows
    outcomes: list[Outcome] = field(default_factory=list)
    rasa_turns: Counter[int] = field(default_factory=Counter)  # message id -> applied user turns in Rasa
    resends: int = 0
    down_s: float = 0.0  # from the kill until the process answered again

    @property
    def duplicate_rows(self) -> int:
        return sum(n - 1 for n in self.rows.values() if n > 1)

    @property
    def duplicate_turns(self) -> int:
        return sum(n - 1 for n in self.rasa_turns.values() if n > 1)

    @property
    def fallbacks(self) -> list[Outcome]:
        """Messages answered with Rasa's fallback ("Perdona, no te he entendido"): no answer at all."""
        return [o for o in self.outcomes if o.fallback]


def pending(database_url: str, run: str) -> int:
    """Messages of the run the bot still has to answer (bot_state queued)."""
    with psycopg.connect(conninfo(database_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM messages WHERE message_type = 'incoming' AND client_message_id LIKE %s "
            "AND bot_state = 'queued'", (f"{run}-%",),
        ).fetchone()
    return int(row[0]) if row else 0


def wait_drained(database_url: str, run: str, timeout_s: float) -> int:
    """Wait until no message of the run is queued; returns how many still are at the timeout."""
    deadline = time.monotonic() + timeout_s
    while (left := pending(database_url, run)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def read_verdict(database_url: str, *, case: str, run: str, sent: int) -> Verdict:
    verdict = Verdict(case=case, sent=sent)
    verdict.outcomes = read_outcomes(database_url, where="m.client_message_id LIKE %(run)s",
                                     params={"run": f"{run}-%"})
    verdict.rows.update(o.client_message_id for o in verdict.outcomes)
    return verdict
