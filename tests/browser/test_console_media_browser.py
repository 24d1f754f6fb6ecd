"""Customers' WhatsApp files in the agent console, in headless Chromium, through the fake Graph API.

A customer sends a photo without words (a person is told to look at it), a voice note, an invoice PDF and
a photo too big to keep; the agent claims the conversation and sees a thumbnail that opens full size, an
audio player, a download button and, for the big one, why there is no file.
Set MEDIA_SCREENSHOT=docs/img/console_media.png to save the console as docs/channels/whatsapp.md shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_testing import RunningHub, StubRasa, serve_stub, serving_in_thread
from playwright.sync_api import Page, expect
from test_agent_console_browser import add_agent, log_in

from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.graph_api import FakeGraphAPI

APP_SECRET = "browser-app-secret"
PHONE_NUMBER_ID = "106540352242922"
TOKEN = "test-token"  # what the session's fake Graph API expects (tests/conftest.py)

pytestmark = pytest.mark.browser

_ids = itertools.count(1)


def png(width: int, height: int) -> bytes:
    """A real PNG (an orange box with a darker band), for a thumbnail the browser must decode."""
    orange, band = b"\xf5\x9e\x0b", b"\x7a\x1a\x12"
    rows = b"".join(b"\x00" + (orange if abs(y - height // 2) > 8 else band) * width for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.fixture
def wa_hub(tmp_path: Path, graph: FakeGraphAPI) -> Iterator[RunningHub]:
    stub = StubRasa()
    stub_server, rasa_url = serve_stub(stub)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    whatsapp = WhatsAppSettings(
        enabled=True, access_token=TOKEN, app_secret=APP_SECRET, verify_token="v",
        phone_number_id=PHONE_NUMBER_ID, graph_url=graph.base_url, retry_base=0.0, poll_interval=0.05,
        media_max_bytes=200_000,
    )  # fmt: skip
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, rasa_url=rasa_url, bot_holding_after=0.0,
        bot_handoff_after=0.0, whatsapp=whatsapp,
    )  # fmt: skip
    try:
        with serving_in_thread(create_app(settings)) as url:
            yield RunningHub(url, database_url, stub)
    finally:
        stub_server.shutdown()


def customer_sends(hub: RunningHub, message: dict[str, object]) -> None:
    """One message from Lucía's WhatsApp, signed as Meta signs its webhooks."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "34910000000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Lucía Gómez"}, "wa_id": "34600111222"}],
        "messages": [{"from": "34600111222", "id": f"wamid.{next(_ids)}", "timestamp": "1", **message}],
    }
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": value}]}]}  # fmt: skip
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    response = httpx.post(
        f"{hub.url}/api/v1/channels/whatsapp/webhook",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    assert response.status_code == 200, response.text


def test_an_agent_sees_the_customers_photo_voice_note_invoice_and_why_a_file_is_missing(
    page: Page, wa_hub: RunningHub, graph: FakeGraphAPI
) -> None:
    photo = png(480, 320)
    graph.add_media("photo1", photo, "image/png")
    graph.add_media("voice1", b"OggS" + b"\x00" * 400, "audio/ogg")
    graph.add_media("pdf1", b"%PDF-1.4\n% factura AB-12345\n", "application/pdf")
    graph.add_media("huge1", b"\xff\xd8" + b"x" * 300_000, "image/jpeg")
    add_agent(wa_hub, "ana@tiendasol.example", "Ana")

    customer_sends(wa_hub, {"type": "image", "image": {"id": "photo1", "mime_type": "image/png"}})
    voice = {"id": "voice1", "mime_type": "audio/ogg; codecs=opus"}
    customer_sends(wa_hub, {"type": "audio", "audio": voice})
    customer_sends(wa_hub, {"type": "document", "document": {
        "id": "pdf1", "mime_type": "application/pdf", "filename": "factura-AB-12345.pdf"}})  # fmt: skip
    customer_sends(wa_hub, {"type": "image", "image": {"id": "huge1", "mime_type": "image/jpeg"}})

    log_in(page, wa_hub, "ana@tiendasol.example")
    item = page.locator("#waiting .q-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Envió una foto, audio o archivo")
    item.get_by_role("button", name=re.compile("Atender la conversación")).click()

    transcript = page.locator("#transcript")
    thumb = transcript.locator(".media[data-media=image] .media-thumb img").first
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 480
    expect(transcript.locator(".media[data-media=audio] audio")).to_have_count(1)
    download = transcript.get_by_role("link", name="Descargar factura-AB-12345.pdf")
    expect(download).to_be_visible()
    with page.expect_download() as saved:
        download.click()
    assert saved.value.suggested_filename == "factura-AB-12345.pdf"
    why = transcript.locator(".media-why")
    expect(why).to_contain_text("No tenemos el archivo. Pesa 0,3 MB y el límite es 0,2 MB.")
    expect(why).to_contain_text("Pide al cliente que lo reenvíe")

    shot = os.environ.get("MEDIA_SCREENSHOT")
    if shot:
        transcript.evaluate("log => { log.scrollTop = 0; }")
        page.screenshot(path=shot)
    thumb.click()
    full = page.locator("dialog.media-full")
    expect(full).to_be_visible()
    assert full.locator("img").evaluate("img => img.naturalWidth") == 480
    if shot:
        page.screenshot(path=shot.replace(".png", "_full.png"))
    page.keyboard.press("Escape")
    expect(full).to_be_hidden()
    assert any("lo revisará una persona del equipo" in t for t in graph.texts())
