"""The fast domain layer: the hub's services without the web app, HTTP or threads, against fakes.

``Domain`` runs the turn pipeline and the desk directly (``Receiver.receive``, ``turns.process_message``,
``handoff.desk.Desk``) on a migrated SQLite copy, with a fake Rasa (tests/fakes/rasa.py), a channel that
records what it would deliver, and the event bus keeping what it published. A test takes milliseconds;
the full-app tests stay as integration tests.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from handoff.desk import Desk
from handoff.plugin import build_desk, build_tracker
from handoff.rasa_tracker import RasaTracker
from handoff.settings import HandoffSettings
from hub import turns
from hub.bus import BusEvent, EventName
from hub.intake import Intake
from hub.models import Conversation
from hub.schemas import IncomingMessage, MessageOut, Receipt
from hub.services import Services
from mostrador.wiring import wire as wire_handoff
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import hub_settings

__all__ = ["Domain", "RecordingChannel", "domain_services"]


@dataclass
class RecordingChannel:
    """The api channel's place: keeps what the hub would deliver, in order."""

    name: str = "api"
    texts: list[tuple[int, str]] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send_text(
        self, conversation: Conversation, text: str, buttons: list[dict[str, str]], *, message: MessageOut
    ) -> str | None:
        self.texts.append((conversation.id, text))
        return None

    async def send_receipt(self, conversation: Conversation, receipt: Receipt) -> None:
        self.receipts.append(receipt)

    async def send_typing(self, conversation: Conversation, on: bool) -> None:
        return None


@dataclass
class Domain:
    services: Services
    handoff_settings: HandoffSettings
    rasa: FakeRasa
    channel: RecordingChannel
    published: list[BusEvent]

    async def customer(self, text: str, *, source_id: str = "cust-1") -> Intake:
        """A customer message stored (as the api channel would) and its bot turn run to the end."""
        incoming = IncomingMessage(
            channel="api", source_id=source_id, client_message_id=uuid.uuid4().hex, text=text
        )
        stored = await self.services.receiver.receive(incoming)
        await turns.process_message(self.services.turn_deps(), stored.message.id)
        return stored

    @property
    def desk(self) -> Desk:
        """The agents' commands (handoff/desk.py) on these resources."""
        return build_desk(self.services, self.handoff_settings)

    @property
    def tracker(self) -> RasaTracker:
        """Rasa's tracker API and the pause/resume outbox (handoff/rasa_tracker.py) on these resources."""
        return build_tracker(self.services)

    def names(self, conversation_id: int | None = None) -> list[EventName]:
        return [e.name for e in self.published if conversation_id in (None, e.conversation_id)]

    def said(self, conversation_id: int) -> list[str]:
        return [text for cid, text in self.channel.texts if cid == conversation_id]


@asynccontextmanager
async def domain_services(
    tmp_path: Path, *, with_handoff: bool = True, **overrides: Any
) -> AsyncIterator[Domain]:
    """Services on a fresh migrated SQLite database; ``with_handoff=False``: the hub alone."""
    settings = hub_settings(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", tmp_path, **overrides)
    handoff_settings = HandoffSettings()
    rasa = FakeRasa()
    services = Services.build(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    if with_handoff:
        wire_handoff(services, handoff_settings)
    channel = RecordingChannel()
    services.channels["api"] = channel
    published: list[BusEvent] = []
    services.bus.published = published
    try:
        yield Domain(services, handoff_settings, rasa, channel, published)
    finally:
        await services.close()
