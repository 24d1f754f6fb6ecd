"""``python -m hub`` with HUB_WEB_PROCESSES=2: two web processes on one port, a separate worker answers.

Visitors' sockets land on either process (the kernel hands each connection to one); every visitor
gets the receipt and the bot's answer on their own socket, because replies travel through the Redis
broadcast. Settings that cannot work with several processes are refused before anything starts.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from pydantic import ValidationError
from redis.asyncio import Redis
from test_jobs import REDIS_URL, redis_reachable
from test_worker import GUARD_S, running_worker

from hub.settings import Settings
from ops.stack import free_port
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings

REPO = Path(__file__).resolve().parents[2]
SHARED_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"  # this test's own Redis database: its jobs alone


@pytest.fixture
async def shared_redis() -> AsyncIterator[str]:
    await redis_reachable()
    client = Redis.from_url(SHARED_URL)
    await client.flushdb()
    try:
        yield SHARED_URL
    finally:
        await client.flushdb()
        await client.aclose()


async def _healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(int(GUARD_S * 20)):
            if proc.poll() is not None:
                raise AssertionError(f"python -m hub exited {proc.returncode}:\n{log.read_text()}")
            try:
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"python -m hub never became healthy:\n{log.read_text()}")


def _web_processes(pid: int) -> int:
    """Children of ``python -m hub`` that serve (multiprocessing's resource tracker does not)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sum(b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes() for child in children)


async def _visit(url: str, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A visitor opens the widget, writes ``text``; their receipt and the bot's answer."""
    browser = socketio.AsyncClient(reconnection=False)
    got: dict[str, asyncio.Queue[Any]] = {
        e: asyncio.Queue() for e in ("session_confirm", "message_received", "bot_uttered")
    }
    for name, queue in got.items():
        browser.on(name, queue.put_nowait)
    await browser.connect(url, socketio_path="/socket.io", transports=["websocket"])
    try:
        await browser.emit("session_request", {"session_id": uuid.uuid4().hex})
        session_id = await asyncio.wait_for(got["session_confirm"].get(), GUARD_S)
        await browser.emit(
            "user_uttered", {"message": text, "session_id": session_id, "client_message_id": text}
        )
        receipt = await asyncio.wait_for(got["message_received"].get(), GUARD_S)
        answer = await asyncio.wait_for(got["bot_uttered"].get(), GUARD_S)
    finally:
        await browser.disconnect()
    return receipt, answer


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts child processes in /proc")
async def test_two_web_processes_serve_every_visitor(
    postgres_database_url: str, shared_redis: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": postgres_database_url,
        "HUB_HOST": "127.0.0.1",
        "HUB_PORT": str(port),
        "HUB_WEB_PROCESSES": "2",
        "HUB_RUN_WORKER": "false",
        "JOBS_URL": shared_redis,
        "BROADCAST_URL": shared_redis,
        "RASA_URL": "http://127.0.0.1:9",  # the web processes do not ask Rasa; the worker below does
        "LOG_FORMAT": "text",
    }
    log = tmp_path / "hub.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "hub"], cwd=REPO, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    shared = {"hub_run_worker": False, "jobs_url": shared_redis, "broadcast_url": shared_redis}
    settings = hub_settings(postgres_database_url, tmp_path, **shared)
    try:
        await _healthy(url, proc, log)
        assert _web_processes(proc.pid) == 2
        async with running_worker(settings, FakeRasa()):
            visits = await asyncio.gather(*(_visit(url, f"hola {n}") for n in range(8)))
    finally:
        proc.terminate()
        proc.wait(GUARD_S)

    for n, (receipt, answer) in enumerate(visits):
        assert receipt["client_message_id"] == f"hola {n}"
        assert (answer["text"], answer["in_reply_to_id"]) == (f"echo: hola {n}", receipt["id"])
    assert "database migrated" in log.read_text()


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        ({"hub_run_worker": True}, "HUB_WEB_PROCESSES above 1 needs HUB_RUN_WORKER=false"),
        ({"database_url": None}, "HUB_WEB_PROCESSES above 1 needs PostgreSQL"),
    ],
)
def test_several_web_processes_need_a_separate_worker_and_postgresql(
    values: dict[str, Any], refusal: str, tmp_path: Path
) -> None:
    shared = {
        "data_dir": tmp_path,
        "database_url": "postgresql+psycopg://hub@127.0.0.1:5432/hub",
        "hub_web_processes": 2,
        "hub_run_worker": False,
        "jobs_url": REDIS_URL,
        "broadcast_url": REDIS_URL,
    }
    with pytest.raises(ValidationError, match=refusal):
        Settings(**{**shared, **values})
