"""Receipt and answer latency through the hub, against Rasa's REST webhook alone.

    .venv/bin/python -m benchmarks.message_latency [--n 150] [--hub URL --rasa URL] [--out docs/...]

Without --hub/--rasa it brings up its own stack (like the e2e tests) in a temporary directory; with
--hub it posts with HUB_API_KEY or the `make run` key in DATA_DIR/dev_api_key (ops/hub_client.py).
Each sample is one customer message, sent one at a time (closed loop), cycling through a mix of
greetings, FAQ questions and order lookups in Spanish and English. Prints a markdown table
(median, p95, p99) and writes it to docs/benchmarks/message_latency.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ops.hub_client import HubClient
from ops.run import bring_up
from ops.stack import ROOT, free_port

__all__ = ["main", "percentile"]

MESSAGES = [
    "hola", "cuanto tarda el envio?", "dnd esta mi pedido AB-12345", "como devuelvo algo",
    "q metodos de pago aceptais", "hi", "how long does shipping take?", "where is my order AB-12345",
    "puedo pagar con bizum", "gracias",
]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def row(name: str, values: Sequence[float]) -> str:
    return (f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 95):.1f} | {percentile(values, 99):.1f} |")


async def through_hub(hub_url: str, n: int) -> tuple[list[float], list[float]]:
    """Per message: POST -> receipt, and POST -> first bot reply on the customer's live stream."""
    receipts: list[float] = []
    answers: list[float] = []
    for start in range(0, n, len(MESSAGES)):
        client = HubClient(hub_url, source_id=f"bench-{uuid.uuid4().hex[:8]}")  # a fresh customer
        async with client.stream() as frames:
            for text in MESSAGES[: n - start]:
                sent = await client.send(text)
                receipts.append(sent.receipt_ms)
                async for frame in frames:
                    message = frame.get("message") or {}
                    if frame.get("type") == "message" and message.get("in_reply_to_id") == sent.message_id:
                        answers.append((time.perf_counter() - sent.sent_at) * 1000)
                        break
                await client.wait_answer(sent)  # the whole turn is over before the next message
        await client.aclose()
    return receipts, answers


async def rasa_alone(rasa_url: str, n: int) -> list[float]:
    """The same messages straight to Rasa's REST webhook: the floor the hub adds to."""
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=60) as http:
        for start in range(0, n, len(MESSAGES)):
            sender = f"bench-rasa-{uuid.uuid4().hex[:8]}"
            for text in MESSAGES[: n - start]:
                started = time.perf_counter()
                response = await http.post(
                    f"{rasa_url}/webhooks/rest/webhook",
                    json={"sender": sender, "message": text, "metadata": {"language": "es"}},
                )
                response.raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def report(receipts: list[float], answers: list[float], rasa: list[float]) -> str:
    ratio = statistics.median(answers) / statistics.median(rasa)
    return "\n".join([
        "# Message latency: hub vs Rasa's REST webhook alone",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, 2 cores, "
        f"Python {platform.python_version()}; `python -m benchmarks.message_latency`.",
        "One message at a time (closed loop), a fresh customer every 10 messages, cycling through "
        "greetings, FAQ questions and order lookups in Spanish and English. Milliseconds.",
        "",
        "| path | n | median | p95 | p99 |",
        "|---|---:|---:|---:|---:|",
        row("hub: POST -> receipt (`received`)", receipts),
        row("hub: POST -> first bot reply on the websocket", answers),
        row("Rasa REST webhook alone: POST -> reply", rasa),
        "",
        f"Answer through the hub / Rasa alone (medians): **{ratio:.2f}x**. The receipt does not wait for "
        "NLU: its median is "
        f"{statistics.median(receipts) / statistics.median(rasa) * 100:.0f}% of one Rasa turn.",
        "",
    ])


async def measure(hub: str, rasa: str, n: int) -> str:
    await rasa_alone(rasa, len(MESSAGES))  # warm both paths once
    await through_hub(hub, len(MESSAGES))
    receipts, answers = await through_hub(hub, n)
    return report(receipts, answers, await rasa_alone(rasa, n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--n", type=int, default=150, help="messages per path")
    parser.add_argument("--hub", help="a running hub (default: start a stack)")
    parser.add_argument("--rasa", help="the running Rasa behind --hub")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "message_latency.md")
    args = parser.parse_args()
    if args.hub and args.rasa:
        table = asyncio.run(measure(args.hub, args.rasa, args.n))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            stack, endpoints = bring_up(
                data_dir=Path(tmp), hub_port=free_port(), rasa_port=free_port(),
                action_port=free_port(), models_dir=ROOT / "var" / "models",
            )
            os.environ["HUB_API_KEY"] = endpoints.api_key  # HubClient posts with the stack's key
            try:
                table = asyncio.run(measure(endpoints.hub, endpoints.rasa, args.n))
            finally:
                stack.stop()
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table)


if __name__ == "__main__":
    main()
