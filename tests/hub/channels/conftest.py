"""A hub served by uvicorn on a free port (socket.io needs a real server), with the fake Rasa."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from hub_testing import FakeRasa
from widget_testing import LiveHub

from hub.app import create_app
from hub.settings import Settings


@pytest.fixture
async def live_hub(settings: Settings, rasa: FakeRasa) -> AsyncIterator[LiveHub]:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, ws="websockets-sansio"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)
    try:
        yield LiveHub(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        await serving
        sock.close()
