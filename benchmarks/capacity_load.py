"""The two load paths of the capacity benchmark (benchmarks/capacity.py), open loop, and what they measure.

Message ``k`` of a step is scheduled at ``t0 + k / rate`` whatever happened before, and its latency counts
from that scheduled time (no coordinated omission). Customer ``k % customers`` sends it, so one customer's
messages are ``customers / rate`` seconds apart (>= 10 s); the texts cycle through greetings, FAQ questions
and order lookups in Spanish and English (benchmarks/load_generator.py TEXTS).

- Rasa alone: POST /webhooks/rest/webhook?token=... on the sender's Rasa server (the hub's own rendezvous
  hashing, hub/rasa_servers.py); answered = 200 with at least one message.
- Through the hub: POST /api/v1/messages (channel api); afterwards the hub's PostgreSQL says when the first
  bot reply (``in_reply_to_id``) of each message was stored, which got a holding message and which
  conversations went to a person.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import psycopg

from benchmarks.capacity_report import HUB, RASA, StepResult
from benchmarks.load_generator import TEXTS
from hub.rasa_servers import for_sender

__all__ = ["CpuMeter", "Plan", "hub_step", "idle_cpu", "plan", "rasa_step"]

ENGLISH = {"hi", "how long does shipping take?", "where is my order AB-12345"}
SPACING_S = 10.0  # one customer's messages are at least this far apart


@dataclass(frozen=True)
class Shot:
    key: int
    customer: str
    text: str
    at: float  # seconds after t0


@dataclass(frozen=True)
class Plan:
    run_id: str  # prefix of every sender / client message id of the step
    rate: float
    duration: float
    shots: list[Shot]


def plan(run_id: str, rate: float, duration: float) -> Plan:
    customers = max(1, int(rate * SPACING_S + 0.999))
    shots = []
    for key in range(int(rate * duration)):
        customer = key % customers
        text = TEXTS[(customer + key // customers) % len(TEXTS)]  # each customer goes through the mix
        shots.append(Shot(key, f"{run_id}-c{customer:04d}", text, key / rate))
    return Plan(run_id, rate, duration, shots)


def _language(text: str) -> str:
    return "en" if text in ENGLISH else "es"


# ---------------------------------------------------------------- CPU accounting (/proc)


SHARED_SERVERS = ("postgres", "redis-server")  # the machine's own: other people's tests use them too


def _ticks(groups: set[int]) -> dict[int | str, int]:
    """utime + stime (+ reaped children's) of every live process, summed per process group, and of the
    PostgreSQL and Redis servers under the key "db" (each PostgreSQL backend is its own group)."""
    ticks: dict[int | str, int] = {**dict.fromkeys(groups, 0), "db": 0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            name, rest = Path(entry.path, "stat").read_text().rsplit(")", 1)
        except OSError:
            continue  # gone meanwhile
        fields = rest.split()
        used = sum(int(v) for v in fields[11:15])
        group = int(fields[2])
        if group in groups:
            ticks[group] += used
        elif name.split("(", 1)[1] in SHARED_SERVERS:
            ticks["db"] += used
    return ticks


def _machine() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]), values[3] + values[4]  # total, idle + iowait


class CpuMeter:
    """CPU seconds of the services' process groups between ``start`` and ``stop``, by part; "db" is the
    PostgreSQL and Redis servers (shared with whoever else uses them), "bench" this process (the load),
    "hub" the sum of "web" and "workers" when both are parts."""

    def __init__(self, parts: Mapping[str, Sequence[int]]) -> None:
        self.parts = parts  # "hub" -> [process group ids] ...
        self._groups = {g for groups in parts.values() for g in groups}
        self._before: dict[int | str, int] = {}
        self._machine_before = (0, 0)
        self._own_before = 0.0
        self._wall_before = 0.0
        self.window_s = 0.0  # wall-clock seconds of the last start..stop

    def start(self) -> None:
        self._before, self._machine_before = _ticks(self._groups), _machine()
        self._own_before = time.process_time()
        self._wall_before = time.monotonic()

    def stop(self) -> tuple[dict[str, float], float, float]:
        """CPU seconds by part, the machine's busy % and the share of it nobody measured here (others)."""
        after, (total, idle) = _ticks(self._groups), _machine()
        tick = os.sysconf("SC_CLK_TCK")
        used = {
            part: sum(max(0, after[g] - self._before.get(g, 0)) for g in groups) / tick
            for part, groups in self.parts.items()
        }
        used["db"] = max(0, after["db"] - self._before.get("db", 0)) / tick
        used["bench"] = time.process_time() - self._own_before
        self.window_s = time.monotonic() - self._wall_before
        total0, idle0 = self._machine_before
        elapsed = max(1, total - total0) / tick  # CPU-seconds of all cores
        busy = 100 * (1 - (idle - idle0) / max(1, total - total0))
        others = max(0.0, busy - 100 * sum(used.values()) / elapsed)
        if "web" in used and "workers" in used:
            used["hub"] = used["web"] + used["workers"]  # after the sum: counted once
        return used, busy, others


async def idle_cpu(meter: CpuMeter, seconds: float) -> dict[str, float]:
    """CPU seconds per second each part uses with no load at all (sweeps, polling): the fixed cost that
    a low rate divides by few messages."""
    meter.start()
    await asyncio.sleep(seconds)
    used, _, _ = meter.stop()
    return {part: value / meter.window_s for part, value in used.items()}


# ---------------------------------------------------------------- sending


async def _fire(shots: Sequence[Shot], t0: float, send: Callable[[Shot], Awaitable[None]]) -> None:
    tasks = []
    for shot in shots:
        delay = t0 + shot.at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(send(shot)))
    await asyncio.gather(*tasks)


def _client(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=timeout, limits=httpx.Limits(max_connections=None, max_keepalive_connections=100)
    )


async def rasa_step(p: Plan, *, rasa_urls: Sequence[str], token: str, meter: CpuMeter) -> StepResult:
    result = StepResult(RASA, p.rate, p.duration, sent=len(p.shots))
    urls = tuple(rasa_urls)
    async with _client(timeout=120) as http:
        meter.start()
        t0 = time.monotonic() + 0.5

        async def send(shot: Shot) -> None:
            base = for_sender(urls, shot.customer)[0]
            body = {
                "sender": shot.customer,
                "message": shot.text,
                "metadata": {"language": _language(shot.text)},
            }
            try:
                response = await http.post(
                    f"{base}/webhooks/rest/webhook", params={"token": token}, json=body
                )
            except httpx.HTTPError:
                result.errors += 1
                return
            if response.status_code != 200:
                result.errors += 1
            elif response.json():
                result.answered += 1
                result.answer_ms.append((time.monotonic() - t0 - shot.at) * 1000)

        await _fire(p.shots, t0, send)
        result.drain_s = max(0.0, time.monotonic() - t0 - p.duration)
        result.cpu_s, result.busy_pct, result.others_pct = meter.stop()
        result.window_s = meter.window_s
    return result


async def hub_step(
    p: Plan, *, hub_url: str, api_key: str, database: str, meter: CpuMeter, drain_cap: float
) -> StepResult:
    result = StepResult(HUB, p.rate, p.duration, sent=len(p.shots))
    scheduled: dict[str, float] = {}  # client message id -> scheduled wall-clock time (epoch s)
    headers = {"Authorization": f"Bearer {api_key}"}
    async with _client(timeout=60) as http:
        meter.start()
        t0 = time.monotonic() + 0.5
        wall0 = time.time() + 0.5

        async def send(shot: Shot) -> None:
            client_id = f"{p.run_id}-{shot.key:06d}"
            scheduled[client_id] = wall0 + shot.at
            body = {
                "channel": "api",
                "source_id": shot.customer,
                "client_message_id": client_id,
                "text": shot.text,
            }
            try:
                response = await http.post(f"{hub_url}/api/v1/messages", json=body, headers=headers)
            except httpx.HTTPError:
                result.errors += 1
                return
            if response.is_success:
                result.receipt_ms.append((time.monotonic() - t0 - shot.at) * 1000)
            else:
                result.errors += 1

        await _fire(p.shots, t0, send)
        last_send = time.monotonic()
        result.undrained = await _wait_drained(database, p.run_id, drain_cap)
        result.drain_s = time.monotonic() - last_send
        result.cpu_s, result.busy_pct, result.others_pct = meter.stop()
        result.window_s = meter.window_s
    _read_answers(result, database, p.run_id, scheduled)
    return result


async def _wait_drained(database: str, run_id: str, cap: float) -> int:
    """Wait until no message of the step waits for the bot (bot_state queued); the count left at the cap."""
    deadline = time.monotonic() + cap
    while True:
        with psycopg.connect(database) as db:
            row = db.execute(
                "SELECT count(*) FROM messages WHERE message_type = 'incoming' AND client_message_id LIKE %s "
                "AND (bot_state = 'queued' OR bot_state IS NULL)",
                (f"{run_id}-%",),
            ).fetchone()
        left = int(row[0]) if row else 0
        if not left or time.monotonic() > deadline:
            return left
        await asyncio.sleep(1.0)


ANSWERS_SQL = """
SELECT m.client_message_id, c.status,
       (SELECT min(r.created_at) FROM messages r
         WHERE r.in_reply_to_id = m.id AND r.message_type = 'outgoing') AS answered_at,
       EXISTS (SELECT 1 FROM events e WHERE e.message_id = m.id AND e.kind = 'bot_holding') AS held,
       (SELECT count(*) FROM events e WHERE e.message_id = m.id AND e.kind = 'bot_replied') AS turns
FROM messages m JOIN conversations c ON c.id = m.conversation_id
WHERE m.message_type = 'incoming' AND m.client_message_id LIKE %s
"""


def _read_answers(result: StepResult, database: str, run_id: str, scheduled: dict[str, float]) -> None:
    with psycopg.connect(database) as db:
        rows = db.execute(ANSWERS_SQL, (f"{run_id}-%",)).fetchall()
    result.lost = max(0, len(result.receipt_ms) - len(rows))  # a receipt, but no stored message
    for client_id, status, answered_at, held, turns in rows:
        result.holding += bool(held)
        result.dup_turns += int(turns) > 1
        if isinstance(answered_at, datetime) and client_id in scheduled:
            result.answered += 1
            result.answer_ms.append((answered_at.timestamp() - scheduled[client_id]) * 1000)
        elif status == "open":
            result.handed_off += 1
