"""Open-loop load generator for one channel, run as its own process by benchmarks.receipt_load.

    .venv/bin/python -m benchmarks.load_generator --channel widget|whatsapp --hub URL --rate 50 \
        --duration 60 --customers 100 --run-id r1 --out shots.json [--dup-share 0.05]

Protocol with the orchestrator (so several generators start at the same instant): the generator
connects its customers, prints ``ready`` on stdout, and waits for ``go <t0>`` on stdin, ``t0`` being
a ``time.monotonic()`` value (CLOCK_MONOTONIC: the same clock in every process of the machine).

Message ``k`` is scheduled at ``t0 + k / rate`` whatever happened before (open loop), and its
latency is measured from that scheduled time, so a stalled hub or generator shows up as latency
instead of silently slowing the load (no coordinated omission). A share of the messages is sent
a second time with the same id (Meta redelivering a wamid, the widget resending a
``client_message_id``): at the same instant or up to 2 s later.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["TEXTS", "Driver", "Shot", "plan_shots"]

# Ordinary customer texts (no insults or "no funciona": the handoff policy must not fire).
TEXTS = [
    "hola", "cuanto tarda el envio?", "dnd esta mi pedido AB-12345", "como devuelvo algo",
    "q metodos de pago aceptais", "hi", "how long does shipping take?", "where is my order AB-12345",
    "puedo pagar con bizum", "gracias",
]


@dataclass
class Shot:
    """One send: a new message (``dup`` False) or a resend of message ``key``."""

    key: int
    id: str  # client_message_id / wamid
    customer: int
    text: str
    dup: bool
    at: float  # seconds after t0 it is scheduled
    sent: float | None = None  # monotonic time it went out
    receipt: float | None = None  # monotonic time its receipt arrived
    status: int | None = None  # HTTP status (whatsapp)
    message_id: int | None = None  # the stored message id the receipt named (widget)
    error: str | None = None


class Driver(Protocol):
    async def setup(self) -> None: ...
    async def send(self, shot: Shot) -> None: ...
    async def settle(self, shots: list[Shot], timeout: float) -> None: ...
    def answers(self) -> dict[int, int]: ...
    async def close(self) -> None: ...


def plan_shots(
    *, run_id: str, channel: str, rate: float, duration: float, customers: int, dup_share: float, seed: int
) -> list[Shot]:
    """The whole schedule, sorted by time; message ``k`` goes to customer ``k % customers``."""
    rng = random.Random(seed)
    prefix = "wamid." if channel == "whatsapp" else ""
    shots: list[Shot] = []
    for key in range(int(rate * duration)):
        at = key / rate
        ident = f"{prefix}{run_id}-{channel}-{key:06d}"
        base = Shot(key, ident, key % customers, TEXTS[key % len(TEXTS)], False, at)
        shots.append(base)
        if rng.random() < dup_share:
            delay = 0.0 if rng.random() < 0.5 else rng.uniform(0.01, 2.0)
            shots.append(Shot(key, ident, base.customer, base.text, True, at + delay))
    shots.sort(key=lambda s: (s.at, s.dup))
    return shots


async def fire(driver: Driver, shots: list[Shot], t0: float) -> None:
    """Send every shot at its scheduled time without waiting for earlier ones (open loop)."""
    tasks: list[asyncio.Task[None]] = []
    for shot in shots:
        delay = t0 + shot.at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(driver.send(shot)))
    await asyncio.gather(*tasks, return_exceptions=True)


async def _go_signal() -> float:
    print("ready", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    word, _, value = line.strip().partition(" ")
    if word != "go":
        raise SystemExit(f"expected 'go <t0>' on stdin, got {line!r}")
    return float(value)


def _driver(args: argparse.Namespace) -> Driver:
    from benchmarks.load_channels import WhatsAppDriver, WidgetDriver

    if args.channel == "widget":
        return WidgetDriver(args.hub, args.customers, run_id=args.run_id)
    return WhatsAppDriver(args.hub, args.customers, app_secret=args.app_secret, phone_id=args.phone_id)


async def generate(args: argparse.Namespace) -> dict[str, object]:
    shots = plan_shots(
        run_id=args.run_id, channel=args.channel, rate=args.rate, duration=args.duration,
        customers=args.customers, dup_share=args.dup_share, seed=args.seed,
    )
    driver = _driver(args)
    await driver.setup()
    try:
        t0 = await _go_signal()
        cpu0 = time.process_time()
        await fire(driver, shots, t0)
        cpu = time.process_time() - cpu0
        await driver.settle(shots, timeout=args.settle)
        return {
            "channel": args.channel, "t0": t0, "cpu_s": cpu, "rate": args.rate, "duration": args.duration,
            "shots": [asdict(s) for s in shots], "answers": driver.answers(),
        }
    finally:
        await driver.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--channel", choices=["widget", "whatsapp"], required=True)
    parser.add_argument("--hub", required=True)
    parser.add_argument("--rate", type=float, default=50.0, help="new messages per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--dup-share", type=float, default=0.05, help="share of messages sent twice")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--run-id", required=True, help="prefix of every message id of this run")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait for receipts/answers")
    parser.add_argument("--app-secret", default="")
    parser.add_argument("--phone-id", default="")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    try:
        import uvloop

        result = uvloop.run(generate(args))
    except ImportError:
        result = asyncio.run(generate(args))
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
