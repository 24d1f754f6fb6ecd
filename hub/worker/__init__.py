"""The hub's background work: bot turns (the job queue), the WhatsApp outbox sender and the sweeps.

By default it runs inside the web process (``python -m hub``, ``HUB_RUN_WORKER=true``). With
``HUB_RUN_WORKER=false`` the web process only receives: it stores each message, acknowledges it
(widget receipt, WhatsApp 200) and enqueues the job; one or more ``python -m hub.worker`` processes
(same settings, ``JOBS_URL`` and ``BROADCAST_URL`` on the same Redis) ask Rasa, store and deliver the
answers. Replies reach widget sockets through the broadcast, WhatsApp through the persisted outbox
(the web process wakes the worker's sender through the broadcast too). A conversation is drained by
one worker at a time (hub.serial) and an answer is stored once (hub/turns/answer.py), however many run.

    HUB_RUN_WORKER=false JOBS_URL=redis://127.0.0.1:6379/0 BROADCAST_URL=redis://127.0.0.1:6379/0 \\
        python -m hub &
    JOBS_URL=redis://127.0.0.1:6379/0 BROADCAST_URL=redis://127.0.0.1:6379/0 nice python -m hub.worker
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from functools import partial
from typing import Any

import httpx

from hub import turns
from hub.channels.base import Channel
from hub.db import background_writes, migrate
from hub.jobs import Job, JobQueue
from hub.privacy import retention
from hub.services import Services
from hub.settings import Settings
from hub.shutdown import cancel_and_wait
from hub.turns import sweep
from hub.turns.deps import TurnDeps

__all__ = ["Worker", "serve"]

log = logging.getLogger("hub.worker")  # also when run as __main__


class Worker:
    """The background tasks of one process: the job queue's bot turns, the channels' own work (the
    WhatsApp outbox), the holding sweep and the plug-ins' tasks (hub/seams.py)."""

    def __init__(
        self,
        *,
        turn: TurnDeps,
        jobs: JobQueue,
        channels: Mapping[str, Channel],
        tasks: Sequence[tuple[str, Callable[[], Coroutine[Any, Any, None]]]],
        concurrency: int,
    ) -> None:
        self._turn = turn
        self._jobs = jobs
        self._channels = channels
        self._plugged = tasks
        self._concurrency = concurrency
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    def of(cls, services: Services) -> Worker:
        """The worker of built (and wired) resources."""
        settings = services.settings
        tasks = list(services.seams.tasks)
        if settings.retention_days > 0:  # RETENTION_DAYS: erase stale conversations
            tasks.append(("retention", partial(retention.run, sessions=services.sessions, settings=settings)))
        return cls(
            turn=services.turn_deps(),
            jobs=services.jobs,
            channels=services.channels,
            tasks=tasks,
            concurrency=settings.hub_workers,
        )

    async def start(self) -> None:
        turn = self._turn

        async def handle(job: Job) -> None:
            await turns.process_message(turn, job.message_id, conversation_id=job.conversation_id)

        with background_writes():  # bot turns, outbox and sweeps write after customers' requests
            jobs = self._jobs.run(handle, concurrency=self._concurrency)
            self._tasks.append(asyncio.create_task(jobs, name="hub-jobs"))
            await turns.recover(sessions=turn.db.sessions, jobs=self._jobs)
            for channel in self._channels.values():  # WhatsApp: resume its persisted outbox
                await channel.start()
            for name, task in self._plugged:  # plug-ins' sweeps (handoff: abandonment), retention
                self._tasks.append(asyncio.create_task(task(), name=name))
            self._tasks.append(asyncio.create_task(sweep.run(turn), name="bot-overdue-sweep"))

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        await cancel_and_wait(tasks)


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    wire: Callable[[Services], None] | None = None,
) -> None:
    """Run a worker process's services until ``stop`` is set (``main``: until SIGTERM/SIGINT).

    ``ready`` is set once the worker consumes jobs (the database migrated, waiting messages queued).
    ``wire`` plugs the other packages in (the composition root, mostrador/wiring.py).
    """
    if settings.jobs_url.startswith("memory://"):
        raise SystemExit(
            "python -m hub.worker needs JOBS_URL=redis://... (and BROADCAST_URL=redis://...) shared with "
            "the web process started with HUB_RUN_WORKER=false; with memory:// the hub works alone."
        )
    stop = stop or asyncio.Event()
    services = Services.build(settings, rasa_transport=rasa_transport)
    if wire is not None:
        wire(services)
    worker = Worker.of(services)
    try:
        await migrate(services.engine)
        await worker.start()
        log.info("worker started", extra={"jobs": settings.jobs_url, "concurrency": settings.hub_workers})
        if ready is not None:
            ready.set()
        await stop.wait()
    finally:
        await worker.stop()
        await services.close()
        log.info("worker stopped")
