"""The operator walk's table (ops/fault_walk_verdict.py) says what the support lead must know about each kill:
who got neither an answer nor a person, a fallback shown as an answer, an answer sent twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from ops.fault_walk_verdict import Round, table
from ops.outcomes import Outcome

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOLDING = "Un momento, por favor"


def _outcome(mid: int, *, state: str = "done", replied: int = 1, answer_s: float | None = 2.0,
             handed_s: float | None = None) -> Outcome:
    return Outcome(
        message_id=mid, conversation_id=1, client_message_id=f"c{mid}", bot_state=state, bot_replied=replied,
        answered_at=T0 + timedelta(seconds=answer_s) if answer_s is not None else None,
        handed_at=T0 + timedelta(seconds=handed_s) if handed_s is not None else None, created_at=T0,
    )


def _row(text: str, target: str) -> list[str]:
    return next(line.split("|")[1:-1] for line in text.splitlines() if line.startswith(f"| {target} kill"))


def test_a_message_with_neither_answer_nor_person_is_counted_and_worst_time_is_the_slowest() -> None:
    one = Round(target="rasa", back_s=21.0, outcomes=[
        _outcome(1, answer_s=3.0),
        _outcome(2, state="skipped", replied=0, answer_s=None, handed_s=31.5),
        _outcome(3, state="queued", replied=0, answer_s=None),
    ], shown=[[HOLDING + " ...", "Sobre «envíos»: 2 días"]], seen_s={0: 4.2}, holding=HOLDING)
    cells = [c.strip() for c in _row(table([one], handoff_after=30, stop_s=2.0, left=[], shoppers=2), "rasa")]
    assert cells[1:7] == ["21.0", "3", "1", "1", "1", "31.5"]
    assert cells[7] == "4.2, -"  # the second shopper never saw a reply
    assert cells[8] == "1 of 2"  # one shopper got the holding message


def test_a_fallback_on_screen_and_a_twice_sent_answer_are_reported() -> None:
    one = Round(target="action-server", back_s=None, outcomes=[_outcome(7, replied=2)],
                shown=[["Perdona, no te he entendido. ¿Puedes decirlo de otra forma?"]], seen_s={},
                holding=HOLDING, turns=Counter({7: 2}))
    text = table([one], handoff_after=30, stop_s=1.0, left=["hub"], shoppers=1)
    cells = [c.strip() for c in _row(text, "action-server")]
    assert cells[1] == "not back"
    assert cells[9:12] == ["1", "1", "1"]  # fallback, duplicate answers, duplicate Rasa turns
    assert "ports listening after it: hub" in text
