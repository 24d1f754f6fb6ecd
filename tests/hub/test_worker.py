"""The web process only receives (HUB_RUN_WORKER=false); `python -m hub.worker` processes answer.

A visitor's socket is served by the web process while a separate worker asks Rasa: the answer
still reaches the socket (through the Redis broadcast). Two workers on the same queue answer every
message exactly once, one message of a conversation at a time, oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio
import sqlalchemy as sa
from pydantic import ValidationError
from test_jobs import REDIS_URL, redis_reachable

from hub import worker
from hub.db import migrate
from hub.jobs import RedisJobQueue
from hub.models import Message
from hub.schemas import IncomingMessage
from hub.settings import Settings
from mostrador.wiring import build_services, create_app, wire
from tests.fakes.rasa import FakeRasa
from tests.support.live_server import serving

GUARD_S = 20.0  # only against hangs


@pytest.fixture
async def split(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a web process that leaves the work to hub.worker (Redis jobs and broadcast)."""
    await redis_reachable()
    monkeypatch.setattr(RedisJobQueue, "key", f"hub:jobs:test:{uuid.uuid4().hex}")  # this test's queue
    shared = {"hub_run_worker": False, "jobs_url": REDIS_URL, "broadcast_url": REDIS_URL}
    return settings.model_copy(update=shared)


@contextlib.asynccontextmanager
async def running_worker(settings: Settings, rasa: FakeRasa) -> AsyncIterator[None]:
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        worker.serve(
            settings, stop=stop, ready=ready, rasa_transport=httpx.MockTransport(rasa.handle), wire=wire
        )
    )
    try:
        started = asyncio.create_task(ready.wait())
        await asyncio.wait({task, started}, timeout=GUARD_S, return_when=asyncio.FIRST_COMPLETED)
        started.cancel()
        if task.done():
            task.result()  # it failed to start: show why
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, GUARD_S)


@contextlib.asynccontextmanager
async def web_process(settings: Settings) -> AsyncIterator[str]:
    """The hub's web app on a free port (socket.io needs a real server); yields its URL."""
    app = create_app(settings, rasa_transport=httpx.MockTransport(FakeRasa().handle))
    async with serving(app) as url:
        yield url


async def test_a_reply_made_by_a_separate_worker_reaches_the_visitors_socket(
    split: Settings, rasa: FakeRasa
) -> None:
    events: dict[str, asyncio.Queue[Any]] = {e: asyncio.Queue() for e in ("message_received", "bot_uttered")}
    browser = socketio.AsyncClient(reconnection=False)
    for name, queue in events.items():
        browser.on(name, queue.put_nowait)
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    browser.on("session_confirm", confirmed.put_nowait)

    async with web_process(split) as url, running_worker(split, rasa):
        await browser.connect(url, socketio_path="/socket.io", transports=["websocket"])
        try:
            await browser.emit("session_request", {"session_id": uuid.uuid4().hex})
            session_id = await asyncio.wait_for(confirmed.get(), GUARD_S)
            await browser.emit(
                "user_uttered", {"message": "hola", "session_id": session_id, "client_message_id": "w-1"}
            )
            receipt = await asyncio.wait_for(events["message_received"].get(), GUARD_S)
            answer = await asyncio.wait_for(events["bot_uttered"].get(), GUARD_S)
        finally:
            await browser.disconnect()

    assert receipt["client_message_id"] == "w-1"
    assert answer["text"] == "echo: hola"
    assert answer["in_reply_to_id"] == receipt["id"]
    assert [c["message"] for c in rasa.webhook_calls] == ["hola"]  # asked by the worker, once


async def test_two_workers_answer_every_message_once_in_order(split: Settings, rasa: FakeRasa) -> None:
    web = build_services(split)
    await migrate(web.engine)
    texts = {customer: [f"{customer} mensaje {n}" for n in range(4)] for customer in ("ana", "bea", "carla")}
    try:
        for n in range(4):  # stored while no worker runs: every message waits in the queue
            for customer, said in texts.items():
                incoming = IncomingMessage(
                    channel="api", source_id=customer, client_message_id=f"{customer}-{n}", text=said[n]
                )
                await web.receiver.receive(incoming)

        async def slow_rasa(_body: dict[str, Any]) -> None:
            await asyncio.sleep(0.05)  # both workers are busy at once

        rasa.before_reply = slow_rasa
        # Each worker re-enqueues the waiting messages at start: every message has two jobs.
        async with running_worker(split, rasa), running_worker(split, rasa):

            async def unanswered() -> int:
                async with web.sessions() as session:
                    query = sa.select(sa.func.count()).where(Message.bot_state == "queued")
                    return int(await session.scalar(query) or 0)

            async with asyncio.timeout(GUARD_S):
                while await unanswered():
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # a second answer would be stored by now

        async with web.sessions() as session:
            replies = Counter(
                (
                    await session.execute(
                        sa.select(Message.in_reply_to_id).where(Message.message_type == "outgoing")
                    )
                ).scalars()
            )
            query = sa.select(Message.id).where(Message.message_type == "incoming")
            incoming_ids = list((await session.execute(query)).scalars())
    finally:
        await web.close()

    assert len(incoming_ids) == 12
    assert [replies[i] for i in incoming_ids] == [1] * 12  # every message answered, none twice
    for said in texts.values():
        senders = {c["sender"] for c in rasa.webhook_calls if c["message"] in said}
        [sender] = senders
        assert rasa.messages_to_bot(int(sender)) == said  # once each, oldest first
        assert rasa.max_in_flight[sender] == 1  # never two turns of one conversation at once


def test_a_web_process_without_worker_needs_shared_queues() -> None:
    with pytest.raises(ValidationError, match="HUB_RUN_WORKER=false needs JOBS_URL=redis://"):
        Settings(hub_run_worker=False, jobs_url="memory://", broadcast_url=REDIS_URL)
