"""The website widget on a phone (390 x 844, touch), in headless Chromium.

Open, the chat takes the whole screen; when the on-screen keyboard takes the lower part (the visual
viewport shrinks: here the viewport is resized as Chrome on Android does), the header goes compact,
the reply box sits right above the keyboard and the last message stays in view.
Set PHONE_SCREENSHOTS=docs/img to save docs/img/widget_phone.png and widget_phone_keyboard.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_testing import RunningHub
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
KEYBOARD = 336  # px an on-screen keyboard with its suggestion bar takes on such a phone


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="es-ES"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def box_of(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "not on screen"
    return box


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("PHONE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def in_view(message: Locator, body: Locator) -> bool:
    """The message is inside the scrolled chat area, whole."""
    m, b = box_of(message), box_of(body)
    return m["y"] >= b["y"] - 1 and m["y"] + m["height"] <= b["y"] + b["height"] + 1


def test_on_a_phone_the_chat_is_full_screen_and_the_last_answer_stays_above_the_keyboard(
    phone: Page, hub: RunningHub
) -> None:
    page = phone
    page.goto(f"{hub.url}/demo")
    page.get_by_role("button", name=re.compile("Abrir el chat")).click()
    dialog = page.get_by_role("dialog", name="Tienda Sol")
    expect(dialog).to_be_visible()
    panel = box_of(dialog)
    assert (panel["x"], panel["y"], panel["width"], panel["height"]) == (0, 0, 390, 844)  # not a card
    expect(page.get_by_role("button", name=re.compile("Abrir el chat|Cerrar el chat"))).to_have_count(1)
    header = dialog.locator(".mw-header")
    tall_header = box_of(header)["height"]

    box = page.get_by_label("Escribe tu mensaje")
    for n in range(1, 9):  # more than the screen holds
        box.fill(f"pregunta número {n} sobre mi pedido AB-12345")
        box.press("Enter")
        expect(page.locator(".mw-msg--out").filter(has_text=f"pregunta número {n} ")).to_be_visible()
    body = dialog.locator(".mw-body")
    last = page.locator(".mw-msg--out").last
    assert in_view(last, body)
    shot(page, "widget_phone.png")

    box.focus()
    page.set_viewport_size({"width": 390, "height": PHONE["height"] - KEYBOARD})  # the keyboard rises
    expect(page.locator("#mostrador-widget.mw-keyboard")).to_have_count(1)
    expect(dialog.locator(".mw-subtitle")).to_be_hidden()
    compact = box_of(header)["height"]
    assert compact < tall_header and compact <= 50, (tall_header, compact)
    panel = box_of(dialog)
    assert panel["y"] == 0 and panel["height"] == PHONE["height"] - KEYBOARD  # all above the keyboard
    form = box_of(dialog.locator(".mw-form"))
    assert form["y"] + form["height"] <= PHONE["height"] - KEYBOARD + 1  # the reply box on the keyboard
    assert in_view(last, body), "the last answer went out of view when the keyboard opened"
    assert compact / panel["height"] < 0.12  # the header no longer takes 40% of what is left

    box.fill("¿y cuándo llega?")
    box.press("Enter")
    answer = page.locator(".mw-msg--out").filter(has_text="Respuesta a: ¿y cuándo llega?")
    expect(answer).to_be_visible()
    assert in_view(answer, body)
    shot(page, "widget_phone_keyboard.png")

    page.set_viewport_size(PHONE)  # the keyboard goes down
    expect(page.locator("#mostrador-widget.mw-keyboard")).to_have_count(0)
    expect(dialog.locator(".mw-subtitle")).to_be_visible()
    dialog.get_by_role("button", name=re.compile("Cerrar")).click()
    expect(dialog).to_be_hidden()
    launcher = box_of(page.get_by_role("button", name=re.compile("Abrir el chat")))
    assert launcher["x"] > 250 and launcher["y"] > 700  # the round button again, bottom right
    assert page.evaluate("document.documentElement.style.overflow") == ""  # the page scrolls again


def test_from_480_px_up_the_chat_stays_a_floating_card(chromium: Browser, hub: RunningHub) -> None:
    context = chromium.new_context(viewport={"width": 768, "height": 1024}, locale="es-ES")
    try:
        page = context.new_page()
        page.goto(f"{hub.url}/demo")
        page.get_by_role("button", name=re.compile("Abrir el chat")).click()
        panel = box_of(page.get_by_role("dialog", name="Tienda Sol"))
        assert panel["width"] == 380 and panel["x"] > 300  # the card at the bottom right, as on a desktop
        expect(page.locator("#mostrador-widget.mw-keyboard")).to_have_count(0)
    finally:
        context.close()
