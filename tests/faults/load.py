"""A bounded load: Spanish customers of the channel-neutral API, a few messages each, over ~12 s.

Each customer sends a greeting and FAQ questions at fixed times (open loop). A send that fails (the hub
is down, 5xx) is resent with the same ``client_message_id`` until it gets its receipt, as a real API
client would, within a bounded time; the number of resends is reported.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

import httpx

__all__ = ["TEXTS", "Load", "Sent", "run_load"]

# A greeting and FAQ questions; no insults, "no funciona" or order numbers: the handoff policy stays quiet.
TEXTS = [
    "hola", "cuanto tarda el envio?", "como devuelvo algo", "que metodos de pago aceptais",
    "puedo pagar con bizum", "buenas tardes", "cuanto cuesta el envio", "gracias",
]


@dataclass
class Sent:
    client_message_id: str
    source_id: str
    text: str
    receipt: dict[str, object] | None = None
    resends: int = 0


@dataclass
class Load:
    run: str
    sent: list[Sent] = field(default_factory=list)

    @property
    def resends(self) -> int:
        return sum(s.resends for s in self.sent)

    @property
    def unacknowledged(self) -> list[Sent]:
        return [s for s in self.sent if s.receipt is None]


async def _send(client: httpx.AsyncClient, shot: Sent, give_up_at: float) -> None:
    body = {"channel": "api", "source_id": shot.source_id, "client_message_id": shot.client_message_id,
            "text": shot.text, "language": "es"}
    while time.monotonic() < give_up_at:
        try:
            response = await client.post("/api/v1/messages", json=body)
            if response.status_code in (200, 202):
                shot.receipt = response.json()
                return
        except httpx.HTTPError:
            pass
        shot.resends += 1
        await asyncio.sleep(0.5)


async def run_load(
    hub_url: str, api_key: str, *, run: str, customers: int = 24, per_customer: int = 3,
    start_spread_s: float = 6.0, gap_s: float = 3.0, resend_for_s: float = 60.0,
) -> Load:
    """Send ``customers * per_customer`` messages: customer ``c`` starts at ``c/customers*spread``,
    then one message every ``gap_s``; returns once every message has its receipt (or gave up)."""
    load = Load(run=run)
    headers = {"Authorization": f"Bearer {api_key}"}
    t0 = time.monotonic()
    async with httpx.AsyncClient(base_url=hub_url, headers=headers, timeout=10.0) as client:
        tasks = []
        for c in range(customers):
            source_id = f"{run}-c{c}"
            for k in range(per_customer):
                text = TEXTS[0] if k == 0 else TEXTS[1 + (c + k) % (len(TEXTS) - 1)]
                shot = Sent(client_message_id=f"{run}-{c}-{k}-{uuid.uuid4().hex[:6]}", source_id=source_id,
                            text=text)
                load.sent.append(shot)
                at = t0 + c / customers * start_spread_s + k * gap_s

                async def later(shot: Sent = shot, at: float = at) -> None:
                    await asyncio.sleep(max(0.0, at - time.monotonic()))
                    await _send(client, shot, at + resend_for_s)

                tasks.append(asyncio.create_task(later()))
        await asyncio.gather(*tasks)
    return load
