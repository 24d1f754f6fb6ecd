"""Channel fixtures: a hub served by uvicorn on a free port (socket.io needs a real server), and a
WhatsApp-enabled hub in front of the local fake Graph API server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from whatsapp_testing import WhatsAppHub, run_whatsapp_hub
from widget_testing import LiveHub

from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa
from tests.support.live_server import serving


@pytest.fixture
async def live_hub(settings: Settings, rasa: FakeRasa) -> AsyncIterator[LiveHub]:
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))
    async with serving(app) as url:
        yield LiveHub(url, app)


@pytest.fixture
def wa(settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI) -> Iterator[WhatsAppHub]:
    """A hub with the WhatsApp channel on, sending to ``graph``."""
    with run_whatsapp_hub(settings, rasa, graph) as hub:
        yield hub
