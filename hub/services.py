"""The hub's long-lived services, built once at start and shared by routes and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.bot import RasaClient
from hub.broadcast import Broadcast
from hub.bus import EventBus, UnitOfWork
from hub.channels import Channel, build_channels
from hub.channels.whatsapp import WHATSAPP, WhatsAppChannel
from hub.db import create_engine, session_factory
from hub.jobs import JobQueue
from hub.seams import Seams
from hub.serial import Serializer
from hub.settings import Settings

__all__ = ["Services"]


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    broadcast: Broadcast
    jobs: JobQueue
    rasa: RasaClient
    http: httpx.AsyncClient
    channels: dict[str, Channel]
    serializer: Serializer = field(default_factory=Serializer)
    #: After-commit events (hub/bus.py) and what plug-ins provide (hub/seams.py): set by the wiring.
    bus: EventBus = field(default_factory=EventBus)
    seams: Seams = field(default_factory=Seams)

    @classmethod
    def build(cls, settings: Settings, *, rasa_transport: httpx.AsyncBaseTransport | None = None) -> Services:
        """Wire everything from settings; ``rasa_transport`` is the test seam for Rasa."""
        engine = create_engine(
            settings.db_url,
            pool_size=settings.database_pool_size,
            pool_timeout=settings.database_pool_timeout,
        )
        broadcast = Broadcast.from_url(settings.broadcast_url)
        http = httpx.AsyncClient(timeout=settings.rasa_timeout, transport=rasa_transport)
        sessions = session_factory(engine)
        channels = build_channels(broadcast)
        if settings.whatsapp_enabled:
            channels[WHATSAPP] = WhatsAppChannel(settings, sessions, broadcast=broadcast)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            broadcast=broadcast,
            jobs=JobQueue.from_url(settings.jobs_url),
            rasa=RasaClient(http, settings.rasa_url, settings.rasa_token),
            http=http,
            channels=channels,
            serializer=Serializer.for_jobs(settings.jobs_url),
        )

    def unit_of_work(self) -> UnitOfWork:
        """Transactions whose events are published on ``flush()`` (hub/bus.py)."""
        return UnitOfWork(self.sessions, self.bus)

    async def start_channels(self) -> None:
        """Start channels' background work (WhatsApp: resume its persisted outbox)."""
        for channel in self.channels.values():
            await channel.start()

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()
        await self.http.aclose()
        await self.jobs.close()
        await self.serializer.close()
        await self.broadcast.close()
        await self.engine.dispose()
