"""After a fault and the drain: what became of each message of the run, read from the hub database and
Rasa's trackers.

A message is *answered* when its bot turn is done with exactly one ``bot_replied`` event, and *handed
off* when its conversation has a handoff; its time is from the message's ``created_at`` to the first bot
reply, or to the handoff (0 when the conversation was already with a person when it arrived).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import psycopg
from sqlalchemy import make_url

__all__ = ["Outcome", "Verdict", "pending", "rasa_user_turns", "read_verdict", "wait_drained"]


@dataclass
class Outcome:
    message_id: int
    conversation_id: int
    client_message_id: str
    bot_state: str
    bot_replied: int  # bot_replied events for this message
    answered_at: datetime | None  # first bot reply
    handed_at: datetime | None  # the conversation's first handoff
    created_at: datetime
    fallback: int = 0  # bot replies that are Rasa's "not understood" fallback (actions not run)

    @property
    def answered(self) -> bool:
        return self.bot_state == "done" and self.bot_replied == 1

    @property
    def handed_off(self) -> bool:
        return not self.answered and self.handed_at is not None

    @property
    def seconds(self) -> float | None:
        """Receipt to answer, or to a person; None when neither happened."""
        if self.answered and self.answered_at is not None:
            return (self.answered_at - self.created_at).total_seconds()
        if self.handed_off and self.handed_at is not None:
            return max(0.0, (self.handed_at - self.created_at).total_seconds())
        return None


@dataclass
class Verdict:
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
    def duplicate_answers(self) -> int:
        return sum(o.bot_replied - 1 for o in self.outcomes if o.bot_replied > 1)

    @property
    def duplicate_turns(self) -> int:
        return sum(n - 1 for n in self.rasa_turns.values() if n > 1)

    @property
    def fallbacks(self) -> list[Outcome]:
        """Messages answered with Rasa's fallback ("Perdona, no te he entendido"): no answer at all."""
        return [o for o in self.outcomes if o.fallback]

    @property
    def answered(self) -> int:
        return sum(o.answered for o in self.outcomes)

    @property
    def handed_off(self) -> int:
        return sum(o.handed_off for o in self.outcomes)

    @property
    def neither(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.seconds is None]

    @property
    def worst_seconds(self) -> float:
        return max((o.seconds or 0.0 for o in self.outcomes), default=0.0)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pending(database_url: str, run: str) -> int:
    """Messages of the run the bot still has to answer (bot_state queued)."""
    with psycopg.connect(_conninfo(database_url)) as conn:
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


_OUTCOMES = """
SELECT m.id, m.conversation_id, m.client_message_id, m.bot_state, m.created_at,
  (SELECT count(*) FROM events e WHERE e.message_id = m.id AND e.kind = 'bot_replied'),
  (SELECT min(r.created_at) FROM messages r WHERE r.in_reply_to_id = m.id AND r.message_type = 'outgoing'
     AND r.sender_type = 'bot'),
  (SELECT min(h.requested_at) FROM handoffs h WHERE h.conversation_id = m.conversation_id),
  (SELECT count(*) FROM messages r WHERE r.in_reply_to_id = m.id AND r.message_type = 'outgoing'
     AND r.sender_type = 'bot' AND (r.text LIKE %s OR r.text LIKE %s))
FROM messages m WHERE m.message_type = 'incoming' AND m.client_message_id LIKE %s ORDER BY m.id
"""


#: Rasa's utter_default (domain.yml), Spanish and English: what it says when its custom actions fail.
FALLBACK_TEXTS = ("Perdona, no te he entendido%", "Sorry, I didn't get that%")


def read_verdict(database_url: str, *, case: str, run: str, sent: int) -> Verdict:
    verdict = Verdict(case=case, sent=sent)
    with psycopg.connect(_conninfo(database_url)) as conn:
        for mid, cid, client_id, state, created, replied, answered_at, handed_at, fallback in conn.execute(
            _OUTCOMES, (*FALLBACK_TEXTS, f"{run}-%")
        ).fetchall():
            verdict.rows[client_id] += 1
            verdict.outcomes.append(Outcome(
                message_id=mid, conversation_id=cid, client_message_id=client_id, bot_state=state,
                bot_replied=int(replied), answered_at=answered_at, handed_at=handed_at, created_at=created,
                fallback=int(fallback),
            ))
    return verdict


def rasa_user_turns(rasa_url: str, token: str, conversation_ids: set[int]) -> Counter[int]:
    """Per hub message id: the user turns Rasa's trackers hold for it (rewound ones not counted)."""
    turns: Counter[int] = Counter()
    with httpx.Client(base_url=rasa_url, timeout=30.0) as client:
        for cid in sorted(conversation_ids):
            response = client.get(f"/conversations/{cid}/tracker",
                                  params={"token": token, "include_events": "APPLIED"})
            response.raise_for_status()
            for event in response.json().get("events", []):
                if event.get("event") == "user":
                    message_id = (event.get("metadata") or {}).get("message_id")
                    if message_id is not None:
                        turns[int(message_id)] += 1
    return turns
