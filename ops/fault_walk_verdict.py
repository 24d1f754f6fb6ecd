"""The operator walk's verdict (ops/fault_walk.py): per killed process, what the shoppers' messages became
(hub database and Rasa's trackers, ops/outcomes.py) beside what the shoppers saw in their widgets."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from ops.outcomes import Outcome, Tally, rasa_user_turns, read_outcomes

__all__ = ["Round", "rasa_turns", "read_round", "table"]


@dataclass
class Round(Tally):
    target: str
    back_s: float | None  # from the kill until the process answered its health check again
    outcomes: list[Outcome]
    shown: list[list[str]]  # per shopper: the widget bubbles that came after their two questions
    seen_s: dict[int, float]  # per shopper: seconds from typing until their last reply came on screen
    holding: str  # the start of the holding message
    turns: Counter[int] = field(default_factory=Counter)  # message id -> user turns in Rasa

    @property
    def fallback(self) -> int:
        """Replies that are Rasa's "no te he entendido", in the database or on a shopper's screen."""
        on_screen = sum("no te he entendido" in t for texts in self.shown for t in texts)
        return max(sum(o.fallback for o in self.outcomes), on_screen)

    @property
    def held(self) -> int:
        return sum(any(t.startswith(self.holding) for t in texts) for texts in self.shown)

    @property
    def duplicate_turns(self) -> int:
        return sum(max(0, self.turns[o.message_id] - 1) for o in self.outcomes)

    def line(self) -> str:
        return (f"{self.target}: back in {self.back_s or 0:.1f} s; {len(self.outcomes)} messages, "
                f"{self.answered} answered, {self.handed_off} with a person, {len(self.neither)} neither, "
                f"worst {self.worst_seconds:.1f} s, fallback {self.fallback}, duplicate answers "
                f"{self.duplicate_answers}")


def read_round(database_url: str, *, target: str, after_id: int, back_s: float | None,
               shown: list[list[str]], seen_s: dict[int, float], holding: str) -> Round:
    outcomes = read_outcomes(database_url, where="m.id > %(after)s", params={"after": after_id})
    return Round(target=target, back_s=back_s, outcomes=outcomes, shown=shown, seen_s=seen_s, holding=holding)


def rasa_turns(rounds: list[Round], *, rasa: str, token: str) -> None:
    conversations = {o.conversation_id for r in rounds for o in r.outcomes}
    turns = rasa_user_turns(rasa, token, conversations)
    for one in rounds:
        one.turns = turns


def _seconds(one: Round, shoppers: int) -> str:
    return ", ".join(f"{one.seen_s[i]:.1f}" if i in one.seen_s else "-" for i in range(shoppers))


def table(rounds: list[Round], *, handoff_after: float, stop_s: float, left: list[str], shoppers: int) -> str:
    lines = [
        f"Walked {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `make run` (python -m ops.run) on "
        f"PostgreSQL, BOT_HANDOFF_AFTER = {handoff_after:.0f} s, {shoppers} shoppers in the widget "
        "(headless Chromium, /demo), two questions each right after the kill.",
        "",
        "| killed | back in s | messages | answered | with a person | neither | worst s to answer or "
        "person | s from typing to the last reply on screen (per shopper) | shoppers held | fallback answers "
        "| duplicate answers | duplicate Rasa turns |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for one in rounds:
        back = f"{one.back_s:.1f}" if one.back_s is not None else "not back"
        lines.append(
            f"| {one.target} kill -9 | {back} | {len(one.outcomes)} | {one.answered} | {one.handed_off} | "
            f"{len(one.neither)} | {one.worst_seconds:.1f} | {_seconds(one, shoppers)} | "
            f"{one.held} of {shoppers} | {one.fallback} | {one.duplicate_answers} | {one.duplicate_turns} |"
        )
    after = ", ".join(left) if left else "none"
    lines += ["", f"SIGTERM to the launcher: stopped in {stop_s:.1f} s; ports listening after it: {after}."]
    return "\n".join(lines) + "\n"
