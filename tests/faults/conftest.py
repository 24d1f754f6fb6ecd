"""The fault suite's stack (issue 19): real Rasa, action server, hub web process and a separate worker
(split mode; two workers), on the suite's own PostgreSQL cluster and Redis server, so restarting those never
disturbs the machine's shared servers. One stack for the module's cases; the Rasa model cache
(var/models) and the FAQ index (var/e2e/kb) are shared with the e2e tests, never rebuilt.

Tests here are marked ``faults`` and ``e2e`` (they start real Rasa): ``pytest -m faults`` runs them alone,
``-m "not e2e"`` leaves them out, ``make test`` runs them. FAULTS_REPORT=path writes the results table
(docs/benchmarks/faults.md) at the end of the session; it is printed in any case.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from hub.jobs import RedisJobQueue
from ops.run import Endpoints, bring_up
from ops.stack import ROOT, Service, Stack, free_port
from tests.faults.report import VERDICTS, page, table
from tests.faults.servers import PrivatePostgres, PrivateRedis, postgres_bin

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
HANDOFF_AFTER_S = 20.0  # BOT_HANDOFF_AFTER for the suite
WORKERS = 2  # split mode as deployed: a killed worker's customers are handed off by the other one
SLACK_S = 5.0  # the stated slack: sweep interval, a restarted worker's start, the handoff's own commit


@dataclass
class FaultStack:
    stack: Stack
    endpoints: Endpoints
    rasa_token: str
    postgres: PrivatePostgres
    redis: PrivateRedis
    log_dir: Path

    def service(self, name: str) -> Service:
        return next(s for s in self.stack.services if s.name == name)

    def kill(self, name: str) -> None:
        """``kill -9`` the service's whole process group."""
        process = self.service(name).process
        assert process is not None and process.poll() is None, f"{name} is not running"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def workers_alive(self) -> set[str]:
        """Workers whose alive key is in Redis: a worker beats once started, before its first job."""
        with redis.Redis.from_url(self.redis.url) as client:
            return {k.decode() for k in client.scan_iter(match=f"{RedisJobQueue.key}:alive:*")}

    def wait_workers(self, *, besides: set[str], count: int, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.workers_alive() - besides) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{count} new worker(s) not alive after {timeout_s:.0f} s")
            time.sleep(0.2)

    def restart(self, name: str, timeout_s: float = 300.0) -> None:
        service = self.service(name)
        before = self.workers_alive() if name.startswith("worker") else set()
        service.start(self.log_dir)
        if name.startswith("worker"):
            self.wait_workers(besides=before, count=1, timeout_s=timeout_s)
        deadline = time.monotonic() + timeout_s
        while not service.is_healthy():
            assert service.process is not None
            if service.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not come back; log {service.log_path}:\n{service.log_tail()}")
            time.sleep(0.5)


def _worker(name: str, env: dict[str, str], health_url: str) -> Service:
    python = ROOT / ".venv" / "bin" / "python"
    # The worker serves no HTTP: "healthy" once started, as long as the web process answers.
    return Service(name=name, argv=[str(python), "-m", "hub.worker"], health_url=health_url,
                   timeout_s=60, env=env)


@pytest.fixture(scope="module")  # stopped before the rest of the session (browser tests run last)
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    if not RASA_BIN.exists():
        pytest.fail(f"{RASA_BIN} is missing: run `make venvs` (make test does) before the fault suite")
    bindir = postgres_bin()
    if bindir is None:
        pytest.fail("initdb/pg_ctl not found (/usr/lib/postgresql/*/bin): the suite needs its own cluster")
    data_dir = tmp_path_factory.mktemp("faults")
    redis_server = PrivateRedis(data_dir)
    postgres = PrivatePostgres(bindir)
    redis_server.start()
    try:
        postgres.init()
        token = secrets.token_urlsafe(24)
        env = {
            "DATABASE_URL": postgres.url, "JOBS_URL": redis_server.url, "BROADCAST_URL": redis_server.url,
            "HUB_RUN_WORKER": "false", "RASA_TOKEN": token,
            "BOT_HANDOFF_AFTER": str(HANDOFF_AFTER_S), "BOT_HOLDING_AFTER": "4", "RASA_RETRY_MAX": "2",
            "KB_INDEX_DIR": str(ROOT / "var" / "e2e" / "kb"), "LOG_LEVEL": "INFO",
        }
        hub_port = free_port()
        stack, endpoints = bring_up(
            data_dir=data_dir, hub_port=hub_port, rasa_port=free_port(), action_port=free_port(),
            models_dir=ROOT / "var" / "models", report=lambda line: print(line, flush=True), extra_env=env,
        )
        hub = next(s for s in stack.services if s.name == "hub")
        for n in range(1, WORKERS + 1):
            worker = _worker(f"worker-{n}", {**hub.env}, f"http://127.0.0.1:{hub_port}/healthz")
            stack.services.append(worker)
            worker.start(data_dir / "logs")
        faults = FaultStack(stack=stack, endpoints=endpoints, rasa_token=token, postgres=postgres,
                            redis=redis_server, log_dir=data_dir / "logs")
        faults.wait_workers(besides=set(), count=WORKERS)  # or the first case's customers wait for them
        try:
            yield faults
        finally:
            stack.stop()
    finally:
        postgres.stop()
        redis_server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not VERDICTS:
        return
    text = table(list(VERDICTS.values()), handoff_after_s=HANDOFF_AFTER_S, slack_s=SLACK_S)
    terminalreporter.write_sep("-", "fault suite (issue 19)")
    terminalreporter.write_line(text)
    if path := os.environ.get("FAULTS_REPORT"):
        target = Path(path)
        target.write_text(page(text, target.read_text() if target.exists() else None))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.e2e)
