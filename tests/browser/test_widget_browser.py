"""The website widget on the demo shop, in headless Chromium: what a shopper sees and does."""

from __future__ import annotations

import re

import pytest
from browser_testing import Reply, RunningHub
from playwright.sync_api import BrowserContext, Locator, Page, expect

pytestmark = pytest.mark.browser


def open_chat(page: Page, hub: RunningHub) -> None:
    page.goto(f"{hub.url}/demo")
    page.get_by_role("button", name=re.compile("Abrir el chat")).click()
    expect(page.get_by_role("dialog", name="Tienda Sol")).to_be_visible()


def say(page: Page, text: str) -> None:
    box = page.get_by_label("Escribe tu mensaje")
    box.fill(text)
    box.press("Enter")


def mine(page: Page, text: str) -> Locator:
    return page.locator(".mw-msg--in").filter(has_text=text)


def answer(page: Page, text: str) -> Locator:
    return page.locator(".mw-msg--out").filter(has_text=text)


def with_options(text: str) -> Reply:
    if text == "hola":
        return [
            {
                "text": "¡Hola! ¿Qué necesitas?",
                "buttons": [
                    {"title": "Estado de mi pedido", "payload": "/estado_pedido"},
                    {"title": "Envíos", "payload": "/envios"},
                ],
            }
        ]
    return [{"text": f"Respuesta a: {text}"}]


def test_a_shopper_sees_the_receipt_then_the_answer(page: Page, hub: RunningHub) -> None:
    release = hub.rasa.hold("¿Cuánto tarda el envío?")
    open_chat(page, hub)

    say(page, "¿Cuánto tarda el envío?")

    expect(mine(page, "¿Cuánto tarda el envío?")).to_have_attribute("data-status", "received")
    expect(page.locator(".mw-typing")).to_be_visible()
    release.set()
    expect(answer(page, "Respuesta a: ¿Cuánto tarda el envío?")).to_be_visible()
    expect(mine(page, "¿Cuánto tarda el envío?")).to_have_attribute("data-status", "answered")
    expect(page.locator(".mw-typing")).to_be_hidden()


def test_the_conversation_is_still_there_after_a_reload(page: Page, hub: RunningHub) -> None:
    open_chat(page, hub)
    say(page, "hola, quiero cambiar una talla")
    expect(answer(page, "Respuesta a: hola, quiero cambiar una talla")).to_be_visible()

    page.reload()

    expect(page.get_by_role("dialog", name="Tienda Sol")).to_be_visible()
    expect(mine(page, "hola, quiero cambiar una talla")).to_have_attribute("data-status", "answered")
    expect(answer(page, "Respuesta a: hola, quiero cambiar una talla")).to_have_count(1)
    assert hub.stored_incoming() == ["hola, quiero cambiar una talla"]


def test_a_message_written_offline_is_delivered_once_back_online(
    page: Page, context: BrowserContext, hub: RunningHub
) -> None:
    open_chat(page, hub)
    say(page, "hola")
    expect(answer(page, "Respuesta a: hola")).to_be_visible()

    context.set_offline(True)
    expect(page.get_by_text("Sin conexión")).to_be_visible()
    say(page, "¿Hacéis envíos a Canarias?")
    expect(mine(page, "¿Hacéis envíos a Canarias?")).to_have_attribute("data-status", "pending")
    context.set_offline(False)

    expect(answer(page, "Respuesta a: ¿Hacéis envíos a Canarias?")).to_be_visible()
    expect(mine(page, "¿Hacéis envíos a Canarias?")).to_have_attribute("data-status", "answered")
    expect(page.get_by_text("Sin conexión")).to_be_hidden()
    page.reload()
    expect(mine(page, "¿Hacéis envíos a Canarias?")).to_have_count(1)
    assert hub.stored_incoming() == ["hola", "¿Hacéis envíos a Canarias?"]
    assert hub.rasa.calls == ["hola", "¿Hacéis envíos a Canarias?"]


def test_the_chat_works_with_the_keyboard_alone(page: Page, hub: RunningHub) -> None:
    hub.rasa.answer = with_options
    page.goto(f"{hub.url}/demo")
    launcher = page.get_by_role("button", name=re.compile("Abrir el chat"))
    launcher.focus()

    page.keyboard.press("Enter")
    box = page.get_by_label("Escribe tu mensaje")
    expect(box).to_be_focused()
    page.keyboard.type("hola")
    page.keyboard.press("Enter")
    expect(answer(page, "¡Hola! ¿Qué necesitas?")).to_be_visible()

    page.keyboard.press("Shift+Tab")  # from the input back to the last quick reply
    expect(page.get_by_role("button", name="Envíos")).to_be_focused()
    page.keyboard.press("Enter")
    expect(mine(page, "Envíos")).to_be_visible()
    expect(answer(page, "Respuesta a: /envios")).to_be_visible()

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_new_messages_are_announced_politely(page: Page, hub: RunningHub) -> None:
    open_chat(page, hub)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    say(page, "hola")
    expect(log.get_by_text("Respuesta a: hola")).to_be_visible()


def test_quick_replies_send_the_payload_and_show_the_title(page: Page, hub: RunningHub) -> None:
    hub.rasa.answer = with_options
    open_chat(page, hub)
    say(page, "hola")

    page.get_by_role("button", name="Estado de mi pedido").click()

    expect(mine(page, "Estado de mi pedido")).to_be_visible()
    expect(answer(page, "Respuesta a: /estado_pedido")).to_be_visible()
    expect(page.get_by_role("button", name="Envíos")).to_have_count(0)
    page.reload()
    expect(mine(page, "Estado de mi pedido")).to_be_visible()  # the title, not the payload


def test_a_closed_chat_shows_an_unread_badge(page: Page, hub: RunningHub) -> None:
    release = hub.rasa.hold("¿Tenéis la talla M?")
    open_chat(page, hub)
    say(page, "¿Tenéis la talla M?")
    expect(mine(page, "¿Tenéis la talla M?")).to_have_attribute("data-status", "received")
    page.keyboard.press("Escape")

    release.set()

    launcher = page.get_by_role("button", name=re.compile("Abrir el chat"))
    expect(launcher).to_have_accessible_name(re.compile("1 mensaje nuevo"))
    expect(page.locator(".mw-badge")).to_have_text("1")
    launcher.click()
    expect(page.locator(".mw-badge")).to_be_hidden()


def test_message_text_is_never_html_and_links_are_safe(page: Page, hub: RunningHub) -> None:
    hub.rasa.answer = lambda _text: [
        {
            "text": '<img src=x onerror="window.pwned=1"> Mira https://tiendasol.example/envios. '
            "o javascript:alert(1)"
        }
    ]
    open_chat(page, hub)
    say(page, "<b>negrita</b>")

    reply = answer(page, "Mira")
    expect(reply).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(mine(page, "<b>negrita</b>")).to_be_visible()
    assert page.evaluate("window.pwned") is None
    link = reply.get_by_role("link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://tiendasol.example/envios")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_an_english_page_gets_an_english_widget(page: Page, hub: RunningHub) -> None:
    shop = f"{hub.url}/english-shop"
    page.route(
        shop,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<!doctype html><html lang="en-GB"><body><h1>Sun Shop</h1>'
            f'<script src="{hub.url}/widget.js" data-title="Sun Shop"></script></body></html>',
        ),
    )
    page.goto(shop)

    page.get_by_role("button", name=re.compile("Open the chat")).click()

    expect(page.get_by_role("dialog", name="Sun Shop")).to_be_visible()
    expect(page.get_by_label("Type your message")).to_have_attribute("placeholder", "Type your message…")


def test_a_message_left_unsent_is_sent_when_the_shop_is_opened_again(
    page: Page, context: BrowserContext, hub: RunningHub
) -> None:
    open_chat(page, hub)
    say(page, "hola")
    expect(answer(page, "Respuesta a: hola")).to_be_visible()
    context.set_offline(True)
    say(page, "Quiero devolver un vestido")
    expect(mine(page, "Quiero devolver un vestido")).to_have_attribute("data-status", "pending")
    page.close()

    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{hub.url}/demo")

    expect(mine(again, "Quiero devolver un vestido")).to_have_attribute("data-status", "answered")
    expect(answer(again, "Respuesta a: Quiero devolver un vestido")).to_have_count(1)
    assert hub.stored_incoming() == ["hola", "Quiero devolver un vestido"]
