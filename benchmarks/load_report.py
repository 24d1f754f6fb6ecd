"""Results of a receipt load run: per-channel figures, the markdown tables, the doc section."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load_verify import Stored
from benchmarks.message_latency import percentile

__all__ = ["ChannelResult", "RunResult", "channel_result", "median_table", "run_table", "write_section"]

KEEP_MARKER = "<!-- notes below are kept when the benchmark rewrites its tables -->"


@dataclass
class ChannelResult:
    channel: str
    sent: int = 0  # distinct messages
    dup_sent: int = 0  # second sends of a message id
    stored: int = 0  # distinct ids with a row
    dup_stored: int = 0  # extra rows for an id (must be 0)
    lost: int = 0  # sent, never stored (must be 0)
    no_receipt: int = 0  # sends without a receipt (incl. resends)
    errors: int = 0  # sends that failed or were not answered 200
    answered: int = 0  # messages with a bot reply stored
    dup_answers: int = 0  # messages answered more than once (must be 0)
    receipt_ms: list[float] = field(default_factory=list)  # new messages, from the scheduled time
    dup_receipt_ms: list[float] = field(default_factory=list)
    read_ms: list[float] = field(default_factory=list)  # whatsapp: POST -> read receipt at the Graph
    dup_reads: int = 0  # whatsapp: read receipts sent twice for a wamid
    lag_ms: list[float] = field(default_factory=list)  # generator: sent - scheduled
    slow_seconds: dict[int, float] = field(default_factory=dict)  # second of the load -> worst ms over 50
    rate: float = 0.0  # achieved sends per second
    generator_cpu_pct: float = 0.0


@dataclass
class RunResult:
    label: str
    channels: list[ChannelResult]
    hub_cpu_pct: float
    machine_busy_pct: float
    loadavg: tuple[float, float, float]
    left_undrained: int
    hub_cpu_ms_per_message: float = 0.0  # hub CPU from the start of the load until drained
    worker_cpu_pct: float | None = None  # the separate hub.worker process, when there is one
    worker_cpu_ms_per_message: float = 0.0
    steal_pct: float = 0.0  # the machine's CPU time given to other guests by the hypervisor
    by_second: list[tuple[float, float]] = field(default_factory=list)  # (steal %, web CPU %)


def channel_result(
    generated: dict[str, Any], stored: Stored, read_at: dict[str, list[float]] | None = None
) -> ChannelResult:
    t0, shots = generated["t0"], generated["shots"]
    result = ChannelResult(generated["channel"])
    new = [s for s in shots if not s["dup"]]
    result.sent, result.dup_sent = len(new), len(shots) - len(new)
    ids = {s["id"] for s in new}
    result.stored = sum(1 for i in ids if stored.rows[i] > 0)
    result.lost = len(ids) - result.stored
    result.dup_stored = sum(n - 1 for n in stored.rows.values() if n > 1)
    result.answered = sum(1 for i in ids if stored.answers[i] > 0)
    result.dup_answers = sum(1 for i in ids if stored.answers[i] > 1)
    for shot in shots:
        scheduled = t0 + shot["at"]
        if shot["receipt"] is None:
            result.no_receipt += 1
        else:
            latency = (shot["receipt"] - scheduled) * 1000
            (result.dup_receipt_ms if shot["dup"] else result.receipt_ms).append(latency)
            second = int(shot["at"])
            if latency > SLOW_MS and latency > result.slow_seconds.get(second, 0.0):
                result.slow_seconds[second] = latency
        if shot["error"] or shot["status"] not in (None, 200):
            result.errors += 1
        if shot["sent"] is not None:
            result.lag_ms.append((shot["sent"] - scheduled) * 1000)
    sent_at = [s["sent"] for s in shots if s["sent"] is not None]
    if len(sent_at) > 1:
        result.rate = len(sent_at) / (max(sent_at) - min(sent_at))
    result.generator_cpu_pct = 100 * generated["cpu_s"] / generated["duration"]
    if read_at is not None:
        for shot in new:
            arrivals = read_at.get(shot["id"], [])
            if arrivals:
                result.read_ms.append((min(arrivals) - (t0 + shot["at"])) * 1000)
        result.dup_reads = sum(1 for i in ids if len(read_at.get(i, [])) > 1)
    return result


SLOW_MS = 50.0


def _slow(c: ChannelResult, by_second: list[tuple[float, float]]) -> str:
    """When the slow receipts happened: 's12 810 st18 web95' = second 12 of the load, worst receipt
    810 ms, 18% of the machine's CPU stolen by the hypervisor, the web process 95% busy."""
    worst = sorted(c.slow_seconds.items())

    def stolen(second: int) -> str:
        if second >= len(by_second):
            return ""
        steal, web = by_second[second]
        return f" st{steal:.0f} web{web:.0f}"

    shown = ", ".join(f"s{second} {ms:.0f}{stolen(second)}" for second, ms in worst[:12])
    return f"{len(worst)} ({shown}{' ...' if len(worst) > 12 else ''})" if worst else "0"


def _p(values: Sequence[float], q: float) -> str:
    return f"{percentile(values, q):.1f}" if values else "-"


HEADER = [
    "| path | sent | stored | resent (dup) | dup stored | lost | no receipt | answered | dup answers "
    "| p50 ms | p95 ms | p99 ms | max ms | rate/s |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def _rows(c: ChannelResult) -> list[str]:
    name = {"widget": "widget: `user_uttered` -> `message_received`",
            "whatsapp": "whatsapp: webhook POST -> 200"}[c.channel]
    counts = (f"| {name} | {c.sent} | {c.stored} | {c.dup_sent} | {c.dup_stored} | {c.lost} | {c.no_receipt} "
              f"| {c.answered} | {c.dup_answers} ")
    lines = [counts + f"| {_p(c.receipt_ms, 50)} | {_p(c.receipt_ms, 95)} | {_p(c.receipt_ms, 99)} "
             f"| {max(c.receipt_ms, default=0):.1f} | {c.rate:.1f} |"]
    if c.read_ms:
        lines.append(f"| whatsapp: webhook POST -> read receipt at the Graph API | {c.sent} | | | "
                     f"{c.dup_reads} (reads) | | {c.sent - len(c.read_ms)} | | | {_p(c.read_ms, 50)} "
                     f"| {_p(c.read_ms, 95)} | {_p(c.read_ms, 99)} | {max(c.read_ms):.1f} | |")
    return lines


def run_table(run: RunResult) -> str:
    lines = [*HEADER]
    for channel in run.channels:
        lines.extend(_rows(channel))
    extra = ", ".join(
        f"{c.channel} generator CPU {c.generator_cpu_pct:.0f}%, send lag p99 {_p(c.lag_ms, 99)} ms, "
        f"resends' receipt p99 {_p(c.dup_receipt_ms, 99)} ms, send errors {c.errors}, "
        f"seconds with a receipt over {SLOW_MS:.0f} ms {_slow(c, run.by_second)}"
        for c in run.channels
    )
    lines.append("")
    worker = ""
    if run.worker_cpu_pct is not None:
        worker = (f"; worker CPU {run.worker_cpu_pct:.0f}% of one core during the load, "
                  f"{run.worker_cpu_ms_per_message:.1f} ms per message until drained")
    lines.append(
        f"Hub (web) CPU {run.hub_cpu_pct:.0f}% of one core during the load, "
        f"{run.hub_cpu_ms_per_message:.1f} ms per message until drained{worker}; "
        f"machine busy {run.machine_busy_pct:.0f}% of 2 cores, CPU stolen by the hypervisor "
        f"{run.steal_pct:.1f}% (worst second {max((s for s, _ in run.by_second), default=0):.0f}%); "
        f"load average {run.loadavg[0]:.1f}; {extra}; not drained after the run: {run.left_undrained}."
    )
    return "\n".join(lines)


def _missing(c: ChannelResult, key: str) -> int:
    return c.sent - len(c.read_ms) if key == "read" else c.no_receipt


def _median(runs: list[RunResult], pick: Callable[[RunResult], float]) -> float:
    return statistics.median(pick(r) for r in runs)


def median_table(runs: list[RunResult]) -> str:
    """Counts summed over the runs (zero means zero in every run), latencies the median of the runs'."""
    lines = [
        "| path | runs | sent | lost | dup stored | dup answers | no receipt | p50 ms | p95 ms | p99 ms "
        "| p99 min-max ms | max ms | hub CPU | steal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"widget": "widget receipt", "whatsapp": "whatsapp 200", "read": "whatsapp read at Graph"}
    for index, channel in enumerate(runs[0].channels):
        paths = [(channel.channel, lambda c: c.receipt_ms)]
        if channel.read_ms:
            paths.append(("read", lambda c: c.read_ms))
        for key, values in paths:
            chans = [r.channels[index] for r in runs]
            p99s = [percentile(values(c), 99) for c in chans if values(c)]
            if not p99s:
                continue
            med = {q: statistics.median(percentile(values(c), q) for c in chans if values(c))
                   for q in (50, 95, 99)}
            lines.append(
                f"| {names[key]} | {len(runs)} | {sum(c.sent for c in chans)} | {sum(c.lost for c in chans)} "
                f"| {sum(c.dup_stored + (c.dup_reads if key == 'read' else 0) for c in chans)} "
                f"| {sum(c.dup_answers for c in chans)} | {sum(_missing(c, key) for c in chans)} "
                f"| {med[50]:.1f} | {med[95]:.1f} | {med[99]:.1f} | {min(p99s):.1f}-{max(p99s):.1f} "
                f"| {statistics.median(max(values(c)) for c in chans if values(c)):.1f} "
                f"| {_median(runs, lambda r: r.hub_cpu_pct):.0f}% "
                f"| {_median(runs, lambda r: r.steal_pct):.1f}% |"
            )
    return "\n".join(lines)


def write_section(path: Path, heading: str, body: str, preamble: str) -> None:
    """Replace (or add) the ``## heading`` section of the doc; keep other sections and the notes."""
    text = path.read_text() if path.exists() else preamble + "\n" + KEEP_MARKER + "\n"
    head, marker, notes = text.partition(KEEP_MARKER)
    parts = re.split(r"(?m)^(?=## )", head)
    intro, sections = parts[0], [p for p in parts[1:] if not p.startswith(f"## {heading}\n")]
    sections.append(f"## {heading}\n\n{body.strip()}\n\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(intro + "".join(sections) + (marker or KEEP_MARKER) + notes)
