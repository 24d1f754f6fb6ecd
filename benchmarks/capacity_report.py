"""Results of the capacity benchmark (benchmarks/capacity.py): one row per rate and path, the table, and
the capacity of each path (the highest rate still answered in time). Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.message_latency import percentile

__all__ = [
    "ANSWERED_SHARE",
    "HUB",
    "P95_LIMIT_MS",
    "RASA",
    "Capacity",
    "StepResult",
    "capacity",
    "summary",
    "table",
]

RASA = "Rasa alone"
HUB = "through the hub"
P95_LIMIT_MS = 2000.0  # issue 19: capacity = the highest rate with answer p95 under 2 s ...
ANSWERED_SHARE = 0.99  # ... and at least 99% of the messages answered


@dataclass
class StepResult:
    """One open-loop step: ``rate`` messages/s for ``duration`` s on one path."""

    path: str  # RASA | HUB
    rate: float
    duration: float
    sent: int = 0  # messages scheduled (and sent)
    answered: int = 0  # Rasa: 200 with at least one message; hub: a bot reply stored for it
    handed_off: int = 0  # hub: not answered by the bot, its conversation with a person (status open)
    holding: int = 0  # hub: messages that got a holding message ("un momento...")
    errors: int = 0  # requests that failed or were not answered 2xx
    lost: int = 0  # hub: acknowledged with a receipt but not stored (must be 0)
    dup_turns: int = 0  # hub: messages with more than one bot_replied event (must be 0)
    answer_ms: list[float] = field(default_factory=list)  # answered ones, from the scheduled time
    receipt_ms: list[float] = field(default_factory=list)  # hub: POST -> receipt, from the scheduled time
    cpu_s: dict[str, float] = field(default_factory=dict)  # "hub" | "rasa" | "actions" -> CPU seconds
    window_s: float = 0.0  # wall-clock seconds the CPU was measured over (the step until drained)
    idle: dict[str, float] = field(default_factory=dict)  # part -> CPU s per s with no load (the run's)
    busy_pct: float = 0.0  # the machine's CPU busy over the step (both cores = 100)
    others_pct: float = 0.0  # of it, what no measured process used: other people's work on the machine
    drain_s: float = 0.0  # seconds after the last send until everything was answered or given up
    undrained: int = 0  # hub: messages still queued when the wait for the drain was capped

    @property
    def answered_share(self) -> float:
        return self.answered / self.sent if self.sent else 0.0

    def p(self, q: float) -> float | None:
        return percentile(self.answer_ms, q) if self.answer_ms else None

    def cpu_ms_per_answer(self, part: str, *, net: bool = False) -> float | None:
        """CPU ms of ``part`` per answered message; ``net``: less what it uses idle over the window."""
        if not self.answered or part not in self.cpu_s:
            return None
        used = self.cpu_s[part] - (self.idle.get(part, 0.0) * self.window_s if net else 0.0)
        return 1000 * max(0.0, used) / self.answered

    @property
    def in_time(self) -> bool:
        """Within the capacity: answer p95 under 2 s and >= 99% answered."""
        p95 = self.p(95)
        return p95 is not None and p95 < P95_LIMIT_MS and self.answered_share >= ANSWERED_SHARE


@dataclass(frozen=True)
class Capacity:
    rate: float | None  # None: not even the lowest rate was answered in time
    at_least: bool  # every rate tried was in time: the real capacity may be higher
    estimate: float | None = None  # where p95 crosses 2 s, linear between this rate and the next one

    def __str__(self) -> str:
        if self.rate is None:
            return "below the lowest rate tried"
        crossing = f" (p95 reaches 2 s at ~{self.estimate:.1f})" if self.estimate is not None else ""
        return f"{'>= ' if self.at_least else ''}{self.rate:g} msg/s{crossing}"

    @property
    def best(self) -> float | None:
        return self.estimate if self.estimate is not None else self.rate


def capacity(rows: Sequence[StepResult], path: str) -> Capacity:
    """The highest rate of ``path`` answered in time (p95 < 2 s, >= 99% answered). When the next rate
    tried failed on p95 alone, ``estimate`` interpolates where p95 crossed 2 s (the rates are coarse)."""
    mine = sorted((r for r in rows if r.path == path), key=lambda r: r.rate)
    good = [r for r in mine if r.in_time]
    if not good:
        return Capacity(None, False)
    top = good[-1]
    above = [r for r in mine if r.rate > top.rate]
    estimate = None
    if above and above[0].answered_share >= ANSWERED_SHARE:
        p_low, p_high = top.p(95), above[0].p(95)
        if p_low is not None and p_high is not None and p_high > p_low:
            share = (P95_LIMIT_MS - p_low) / (p_high - p_low)
            estimate = top.rate + share * (above[0].rate - top.rate)
    return Capacity(top.rate, not above, estimate)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _cpu(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _net(r: StepResult, part: str) -> str:
    """'43.5 (12.0)': all of the part's CPU per answered message, and net of its idle use."""
    if not r.idle:
        return _cpu(r.cpu_ms_per_answer(part))
    return f"{_cpu(r.cpu_ms_per_answer(part))} ({_cpu(r.cpu_ms_per_answer(part, net=True))})"


HEADER = [
    "| rate msg/s | path | sent | answered | handed off | holding msgs | errors / lost / dup turns "
    "| p50 ms | p95 ms | p99 ms "
    "| receipt p99 ms | hub CPU ms/msg (net of idle) | Rasa CPU ms/msg | actions CPU ms/msg "
    "| PG+Redis CPU ms/msg | machine busy (others) | drain s |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def table(rows: Sequence[StepResult]) -> str:
    lines = list(HEADER)
    for r in sorted(rows, key=lambda r: (r.rate, r.path != RASA)):
        receipt = percentile(r.receipt_ms, 99) if r.receipt_ms else None
        mark = "" if r.in_time else " ✗"
        lines.append(
            f"| {r.rate:g} | {r.path}{mark} | {r.sent} | {r.answered} ({100 * r.answered_share:.1f}%) | "
            f"{r.handed_off if r.path == HUB else '-'} | {r.holding if r.path == HUB else '-'} | "
            f"{f'{r.errors} / {r.lost} / {r.dup_turns}' if r.path == HUB else r.errors} | "
            f"{_ms(r.p(50))} | {_ms(r.p(95))} | {_ms(r.p(99))} | {_ms(receipt)} | "
            f"{_net(r, 'hub') if r.path == HUB else '-'} | "
            f"{_cpu(r.cpu_ms_per_answer('rasa'))} | {_cpu(r.cpu_ms_per_answer('actions'))} | "
            f"{_cpu(r.cpu_ms_per_answer('db'))} | {r.busy_pct:.0f}% ({r.others_pct:.0f}%) | "
            f"{r.drain_s:.0f}{f' ({r.undrained} left)' if r.undrained else ''} |"
        )
    return "\n".join(lines)


def summary(rows: Sequence[StepResult]) -> list[str]:
    """Capacity per path, their ratio (target >= 0.95) and the hub's CPU per answer (target <= 8 ms)."""
    rasa, hub = capacity(rows, RASA), capacity(rows, HUB)
    lines = [
        f"- Capacity (answer p95 < 2 s, >= 99% answered): Rasa alone **{rasa}**, through the hub **{hub}**."
    ]
    if rasa.rate and hub.rate:
        ratio = hub.rate / rasa.rate
        caveat = (
            " (both in time at every rate tried: a lower bound only)"
            if rasa.at_least and hub.at_least
            else ""
        )
        verdict = "meets" if ratio >= 0.95 else "misses"
        lines.append(f"- Hub / Rasa alone: **{ratio:.2f}** ({verdict} the target >= 0.95){caveat}.")
        if rasa.best and hub.best and (rasa.estimate is not None or hub.estimate is not None):
            estimated = hub.best / rasa.best
            lines.append(f"- Hub / Rasa alone where p95 crosses 2 s (interpolated): **{estimated:.2f}**.")
    else:
        lines.append("- Hub / Rasa alone: not computable (a path was not in time even at the lowest rate).")
    hub_ms = [v for r in rows if r.path == HUB and (v := r.cpu_ms_per_answer("hub")) is not None]
    hub_rows = [r for r in rows if r.path == HUB and r.idle]
    net = [v for r in hub_rows if (v := r.cpu_ms_per_answer("hub", net=True)) is not None]
    if hub_ms:
        in_time = [
            v for r in rows if r.path == HUB and r.in_time and (v := r.cpu_ms_per_answer("hub")) is not None
        ]
        shown = in_time or hub_ms
        lines.append(
            "- Hub CPU per answered message (web + workers, until drained): "
            f"{min(shown):.1f}-{max(shown):.1f} ms"
            f"{' within the capacity' if in_time else ''} (target <= 8 ms); all rates: "
            f"{', '.join(f'{v:.1f}' for v in hub_ms)} ms."
        )
    split = [(r.cpu_ms_per_answer("web"), r.cpu_ms_per_answer("workers")) for r in rows if r.path == HUB]
    if split and all(web is not None and workers is not None for web, workers in split):
        lines.append(
            "- Of the hub's CPU per answered message, web process(es) / workers: "
            + ", ".join(f"{web:.1f} / {workers:.1f}" for web, workers in split if web and workers)
            + " ms."
        )
    if net:
        idle = next(r.idle for r in rows if r.idle)
        lines.append(
            "- Net of what the hub uses with no load at all "
            f"({1000 * idle.get('hub', 0.0):.0f} ms of CPU per second: sweeps, workers polling), "
            f"per answered message: {', '.join(f'{v:.1f}' for v in net)} ms."
        )
    return lines
