"""WhatsApp with the web process and a separate worker (HUB_RUN_WORKER=false + python -m hub.worker)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import httpx
import pytest
from test_jobs import REDIS_URL, redis_reachable
from whatsapp_testing import run_whatsapp_hub, status_webhook, text, whatsapp_settings

from hub import worker
from hub.jobs import RedisJobQueue
from hub.settings import Settings
from mostrador.wiring import wire
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa

GUARD_S = 20.0  # only against hangs


def test_a_status_reported_before_the_worker_recorded_its_send_is_not_lost(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Meta reports "delivered" to the web process while the worker that sent the reply has not yet
    # committed the wamid: the web process cannot know the wamid, the worker must still record it.
    asyncio.run(redis_reachable())
    monkeypatch.setattr(RedisJobQueue, "key", f"hub:jobs:test:{uuid.uuid4().hex}")
    split = settings.model_copy(
        update={"hub_run_worker": False, "jobs_url": REDIS_URL, "broadcast_url": REDIS_URL}
    )
    loop_ready = threading.Event()
    state: dict[str, Any] = {}

    def run_worker() -> None:
        async def main() -> None:
            state["loop"] = asyncio.get_running_loop()
            state["stop"] = stop = asyncio.Event()
            ready = asyncio.Event()
            serving = asyncio.create_task(
                worker.serve(
                    whatsapp_settings(split, graph),
                    stop=stop,
                    ready=ready,
                    wire=wire,
                    rasa_transport=httpx.MockTransport(rasa.handle),
                )
            )
            await asyncio.wait({serving, asyncio.create_task(ready.wait())}, timeout=GUARD_S,
                               return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            loop_ready.set()
            await serving

        asyncio.run(main())

    thread = threading.Thread(target=run_worker, daemon=True)
    thread.start()
    assert loop_ready.wait(GUARD_S), "the worker did not start"
    try:
        with run_whatsapp_hub(split, rasa, graph) as wa:

            def report_delivered_at_once(wamid: str, _body: dict[str, Any]) -> None:
                if _body.get("type") == "text":
                    assert wa.post(status_webhook(wamid, "delivered")).status_code == 200

            graph.before_answer = report_delivered_at_once
            wamid = wa.send(text("hola"))
            wa.wait_sent(1)
            incoming = wa.hub.wait_until(lambda: wa.incoming(wamid), "message stored")

            def delivered() -> bool:
                replies = [m for m in wa.messages() if m.in_reply_to_id == incoming.id]
                return bool(replies) and replies[0].status == "delivered"

            assert wa.hub.wait_until(delivered, "the early status recorded on the worker's reply")
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(GUARD_S)
