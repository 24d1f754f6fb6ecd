"""The hub's long-lived resources, built once at start and closed at shutdown.

Only the composition (hub/app.py's lifespan, hub/worker, mostrador/wiring.py, handoff/plugin.py's
``install``) and the FastAPI dependency getters (hub/api/deps.py) read this container; business code
takes the parts it uses (a :class:`~hub.bus.Database`, :class:`~hub.delivery.Delivery`, settings, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.bot import RasaClient
from hub.broadcast import Broadcast
from hub.bus import Database, EventBus
from hub.channels import Channel, build_channels
from hub.channels.whatsapp import WHATSAPP, WhatsAppChannel
from hub.db import create_engine, session_factory
from hub.delivery import Delivery
from hub.intake import Receiver
from hub.jobs import JobQueue
from hub.seams import Seams
from hub.serial import Serializer
from hub.settings import Settings
from hub.turns.deps import TurnDeps

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
    #: The channels by name; one dict shared by every part that delivers (tests swap a channel in it).
    channels: dict[str, Channel]
    serializer: Serializer
    #: After-commit events (hub/bus.py) and what plug-ins provide (hub/seams.py): set by the wiring.
    bus: EventBus
    seams: Seams
    db: Database
    delivery: Delivery
    receiver: Receiver

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
        if settings.whatsapp.enabled:
            channels[WHATSAPP] = WhatsAppChannel(settings.whatsapp, sessions, broadcast=broadcast)
        bus = EventBus()
        db = Database(sessions, bus)
        delivery = Delivery(sessions=sessions, broadcast=broadcast, channels=channels)
        jobs = JobQueue.from_url(settings.jobs_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            broadcast=broadcast,
            jobs=jobs,
            rasa=RasaClient(http, settings.rasa_url, settings.rasa_token),
            http=http,
            channels=channels,
            serializer=Serializer.for_jobs(settings.jobs_url),
            bus=bus,
            seams=Seams(),
            db=db,
            delivery=delivery,
            receiver=Receiver(db=db, delivery=delivery, jobs=jobs, channels=channels, settings=settings),
        )

    def turn_deps(self) -> TurnDeps:
        """What the bot turn works with; call it after the wiring filled the seams (its policy)."""
        return TurnDeps(
            db=self.db,
            delivery=self.delivery,
            rasa=self.rasa,
            policy=self.seams.policy,
            serializer=self.serializer,
            settings=self.settings,
            intercept=self.seams.intercept,
            bot_intercept=self.seams.bot_intercept,
        )

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()
        await self.http.aclose()
        await self.jobs.close()
        await self.serializer.close()
        await self.broadcast.close()
        await self.engine.dispose()
