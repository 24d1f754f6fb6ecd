"""Channel fixtures: a hub served by uvicorn on a free port (socket.io needs a real server), and a
WhatsApp-enabled hub in front of the local fake Graph API server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from whatsapp_testing import WhatsAppHub, run_whatsapp_hub
from widget_testing import LiveHub

from hub.app import create_app
from hub.settings import Settings
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa


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


@pytest.fixture(scope="session")
def graph_server() -> Iterator[FakeGraphAPI]:
    server = FakeGraphAPI(access_token="test-token").start()
    yield server
    server.stop()


@pytest.fixture
def graph(graph_server: FakeGraphAPI) -> FakeGraphAPI:
    """The fake Graph API server, its recorded requests and scripted failures reset."""
    graph_server.reset()
    return graph_server


@pytest.fixture
def wa(settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI) -> Iterator[WhatsAppHub]:
    """A hub with the WhatsApp channel on, sending to ``graph``."""
    with run_whatsapp_hub(settings, rasa, graph) as hub:
        yield hub
