"""A hub running in a TestClient, as the hub and handoff tests drive it, and the settings they share.

Posting needs an API key: ``post`` sends one made once per hub (``api_headers``). Reading a
conversation needs credentials (hub.readers): ``messages`` and ``conversation`` read an
api-channel conversation as its customer (its source_id) and any other one as an agent (one made
for reading, offline, the first time it is needed).
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from handoff import agents
from hub import api_keys
from hub.db import create_engine, migrate
from hub.models import Conversation
from hub.services import Services
from hub.settings import Settings

__all__ = ["READER_EMAIL", "InProcessHub", "hub_settings"]

T = TypeVar("T")

READER_EMAIL = "reader@tests.example"


_TEMPLATE: list[Path] = []


def _migrated_sqlite() -> Path:
    """A SQLite database migrated to head once per test session (a fresh migration costs ~70 ms)."""
    if not _TEMPLATE:
        folder = tempfile.mkdtemp(prefix="hub-template-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / "hub.db"

        async def make() -> None:
            engine = create_engine(f"sqlite+aiosqlite:///{path}")
            try:
                await migrate(engine)
            finally:
                await engine.dispose()

        with ThreadPoolExecutor(1) as pool:  # callers may already run an event loop
            pool.submit(asyncio.run, make()).result()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def hub_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    """A hub on that database with a fake Rasa at rasa.test, in-process queues and no retry delays.

    A new SQLite file starts as a copy of a migrated one: the hub's start then finds the schema current
    (tests/hub/test_db.py migrates empty databases itself).
    """
    sqlite_file = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    if database_url.startswith("sqlite+aiosqlite:///") and not sqlite_file.exists():
        shutil.copyfile(_migrated_sqlite(), sqlite_file)
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "rasa_url": "http://rasa.test:5005",
        "rasa_retry_base": 0.0,
        "rasa_retry_max": 0.0,
        "jobs_url": "memory://",
        "broadcast_url": "memory://",
        # A slow fake Rasa on a busy machine must not get holding messages or handoffs mid-test;
        # the tests of those turn them on.
        "bot_holding_after": 0.0,
        "bot_handoff_after": 0.0,
    }
    return Settings(**{**values, **overrides})


class InProcessHub:
    """A running hub (TestClient) plus helpers to post messages, read them and look into the database."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._readers: dict[int, dict[str, Any]] = {}
        self._reader_token: str | None = None
        self._api_key: str | None = None

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def db(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``fn(session)`` inside the hub's event loop; the session may write (committed at the end)."""

        async def run() -> T:
            async with self.services.sessions.begin() as session:
                return await fn(session)

        return self.call(run)

    def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        portal = self.client.portal
        assert portal is not None
        return portal.call(fn)

    def post(
        self,
        text: str,
        *,
        source_id: str = "cust-1",
        client_message_id: str | None = None,
        language: str | None = None,
    ) -> httpx.Response:
        """A customer's message on the api channel."""
        body = {
            "channel": "api",
            "source_id": source_id,
            "client_message_id": client_message_id or uuid.uuid4().hex,
            "text": text,
            "language": language,
        }
        return self.client.post("/api/v1/messages", json=body, headers=self.api_headers())

    def api_headers(self) -> dict[str, str]:
        """The bearer header of an API key (all scopes) made once for this hub, as integrations send."""
        if self._api_key is None:

            async def create(session: AsyncSession) -> str:
                _row, key = await api_keys.create(session, name="tests", scopes=api_keys.SCOPES)
                return key

            self._api_key = self.db(create)
        return {"Authorization": f"Bearer {self._api_key}"}

    def reader(self, conversation_id: int) -> dict[str, Any]:
        """``params`` or ``headers`` that let a test read the conversation, as a client would."""
        if conversation_id not in self._readers:

            async def load(session: AsyncSession) -> Conversation | None:
                return await session.get(Conversation, conversation_id)

            conversation = self.db(load)
            if conversation is None:
                return {"headers": self.reader_headers()}  # an agent is told 404
            if conversation.channel == "api":
                self._readers[conversation_id] = {"params": {"source_id": conversation.source_id}}
            else:
                self._readers[conversation_id] = {"headers": self.reader_headers()}
        return self._readers[conversation_id]

    def reader_headers(self) -> dict[str, str]:
        """A supervisor's bearer header (offline, made for reading, so no handoff goes to it)."""
        if self._reader_token is None:

            async def log_in(session: AsyncSession) -> str:
                if await agents.get_by_email(session, email=READER_EMAIL) is None:
                    await agents.create(
                        session, email=READER_EMAIL, name="Reader", password="reader-pass", languages=["es"],
                        role="supervisor",  # reads any conversation (handoff/permissions.py)
                    )
                _agent, token = await agents.login(
                    session, email=READER_EMAIL, password="reader-pass", ttl=timedelta(hours=1)
                )
                return token

            self._reader_token = self.db(log_in)
        return {"Authorization": f"Bearer {self._reader_token}"}

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/api/v1/conversations/{conversation_id}/messages", **self.reader(conversation_id)
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def conversation(self, conversation_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/conversations/{conversation_id}", **self.reader(conversation_id))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_until(self, check: Callable[[], T], what: str, deadline_s: float = 20.0) -> T:
        """Poll ``check`` until it returns something truthy (a guard against hangs, not a timing)."""
        end = time.monotonic() + deadline_s
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"never happened: {what}")
            time.sleep(0.01)

    def wait_idle(self, conversation_id: int) -> list[dict[str, Any]]:
        """Wait until no incoming message of the conversation is queued for the bot."""

        def idle() -> list[dict[str, Any]]:
            messages = self.messages(conversation_id)
            return messages if all(m["bot_state"] != "queued" for m in messages) else []

        return self.wait_until(idle, f"conversation {conversation_id} processed")
