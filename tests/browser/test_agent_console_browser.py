"""The agent console (GET /agent) in headless Chromium, next to a shopper using the widget on the demo shop.

The shopper asks for a person (the stub bot hands off), an agent logs in to the console in another
browser context, sees the conversation waiting with its reason, claims it, reads the context, and
the two write to each other, each seeing the other typing.
Set CONSOLE_SCREENSHOT=docs/img/agent_console.png to save the console as the operator doc shows it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from browser_testing import Reply, RunningHub
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-pass"
ESCALATE = "mi pedido llega tarde y no me sirve, quiero un humano"


def add_agent(hub: RunningHub, email: str, name: str, *, max_concurrent: int = 3) -> None:
    """Through the real CLI, as an operator would (python -m handoff add-agent)."""
    env = {**os.environ, "DATABASE_URL": hub.database_url, "AGENT_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "handoff", "add-agent", "--email", email, "--name", name,
         "--languages", "es,en", "--max-concurrent", str(max_concurrent)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def resolved_days_ago(hub: RunningHub, *, conversation_id: int, days: float) -> None:
    """Move a resolved conversation's resolution back in the hub's SQLite database (same stored format)."""
    path = hub.database_url.removeprefix("sqlite+aiosqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as db:
        query = "SELECT resolved_at FROM conversations WHERE id = ?"
        [stored] = db.execute(query, (conversation_id,)).fetchone()
        moved = datetime.fromisoformat(stored) - timedelta(days=days)
        db.execute(
            "UPDATE conversations SET resolved_at = ? WHERE id = ?",
            (moved.isoformat(sep=" "), conversation_id),
        )
        db.commit()


def escalating_bot(text: str) -> Reply:
    if "humano" in text or "persona" in text:
        return [
            {"text": "Te paso con una persona."},
            {
                "custom": {
                    "kb": {
                        "decision": "handoff",
                        "reason": "top score 0.41 < clarify threshold 0.6",
                        "candidates": [
                            {"id": "returns", "score": 0.41, "question": "¿Cómo devuelvo un pedido?"}
                        ],
                    }
                }
            },
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]
    return [{"text": f"Respuesta a: {text}"}]


def understood(text: str) -> dict[str, Any]:
    if "humano" in text:
        return {
            "intent": {"name": "human_handoff", "confidence": 0.97},
            "intent_ranking": [{"name": "human_handoff", "confidence": 0.97}],
            "entities": [{"entity": "order_id", "value": "A-1001", "start": 0, "end": 6}],
        }
    return {}


@pytest.fixture
def shop(hub: RunningHub) -> RunningHub:
    hub.rasa.answer = escalating_bot
    hub.rasa.nlu = understood
    hub.rasa.slots = {"order_id": "A-1001", "email": "marta@example.com"}
    return hub


@pytest.fixture
def pages(chromium: Browser) -> Iterator[Callable[[], Page]]:
    """``pages()`` -> a page in a browser context of its own (another person's browser)."""
    contexts: list[BrowserContext] = []

    def new_page() -> Page:
        context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="es-ES")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)  # a guard against hangs, not a timing
        return page

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def agent_page(pages: Callable[[], Page]) -> Page:
    return pages()


def customer_asks_for_a_person(page: Page, hub: RunningHub, text: str = ESCALATE) -> None:
    page.goto(f"{hub.url}/demo")
    page.get_by_role("button", name=re.compile("Abrir el chat")).click()
    box = page.get_by_label("Escribe tu mensaje")
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".mw-msg--system").first).to_be_visible()  # the handoff notice (queue position)


def log_in(page: Page, hub: RunningHub, email: str) -> None:
    page.goto(f"{hub.url}/agent")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Cola")).to_be_visible()


def waiting_item(page: Page) -> Any:
    return page.locator("#waiting .q-item")


def test_an_agent_takes_over_a_widget_conversation(
    page: Page, agent_page: Page, pages: Callable[[], Page], shop: RunningHub
) -> None:
    add_agent(shop, "ana@tiendasol.example", "Ana")
    customer_asks_for_a_person(page, shop)
    log_in(agent_page, shop, "ana@tiendasol.example")

    item = waiting_item(agent_page)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Pide hablar con una persona")
    expect(item).to_contain_text("ES")
    expect(item).to_contain_text("widget")
    expect(item.locator(".q-wait")).to_have_text(re.compile(r"esperando \d+ s"))
    item.get_by_role("button", name=re.compile("Atender la conversación")).click()

    context = agent_page.locator("#context")
    expect(context.locator(".ctx-summary")).to_contain_text("quiero un humano")
    expect(context.locator(".ctx-reason")).to_contain_text("Pide hablar con una persona")
    expect(context.locator(".ctx-sentiment")).to_contain_text("Negativo")
    expect(context.locator(".ctx-slots")).to_contain_text("A-1001")
    expect(context.locator(".ctx-turns")).to_contain_text("human_handoff (confianza 0.97)")
    expect(context.locator(".ctx-turns")).to_contain_text("order_id=A-1001")
    expect(context.locator(".ctx-turns")).to_contain_text("¿Cómo devuelvo un pedido? 0.41")
    expect(context.locator(".ctx-contact")).to_contain_text("widget:")
    transcript = agent_page.locator("#transcript")
    expect(transcript.locator(".msg-customer")).to_contain_text(ESCALATE)
    expect(agent_page.get_by_label("Respuesta al cliente")).to_be_focused()
    expect(page.locator(".mw-msg--system").filter(has_text="Ana")).to_be_visible()  # "Ana se ha unido"
    expect(agent_page.locator("#mine .q-item")).to_have_count(1)
    expect(waiting_item(agent_page)).to_have_count(0)

    # Another shopper asks for a person: the queue shows it live.
    customer_asks_for_a_person(pages(), shop, "quiero hablar con una persona sobre una devolución")
    expect(waiting_item(agent_page)).to_have_count(1)

    # The customer types: the agent sees it; their message appears at once.
    widget_box = page.get_by_label("Escribe tu mensaje")
    widget_box.press_sequentially("es el pedido")
    expect(agent_page.get_by_text("El cliente está escribiendo…")).to_be_visible()
    widget_box.press_sequentially(" A-1001")
    widget_box.press("Enter")
    expect(transcript.locator(".msg-customer").filter(has_text="es el pedido A-1001")).to_be_visible()
    expect(agent_page.get_by_text("El cliente está escribiendo…")).to_be_hidden()

    # The agent types: the customer sees it; Enter sends and the reply arrives in the widget.
    reply = agent_page.get_by_label("Respuesta al cliente")
    reply.press_sequentially("Hola, soy Ana. Miro tu pedido")
    expect(page.locator(".mw-typing")).to_be_visible()
    if os.environ.get("CONSOLE_SCREENSHOT"):
        agent_page.screenshot(path=os.environ["CONSOLE_SCREENSHOT"])
    reply.press("Enter")
    answer = page.locator(".mw-msg--out[data-sender=agent]").filter(has_text="Hola, soy Ana. Miro tu pedido")
    expect(answer).to_be_visible()
    expect(page.locator(".mw-typing")).to_be_hidden()
    expect(transcript.locator(".msg-agent")).to_contain_text("Hola, soy Ana. Miro tu pedido")
    expect(transcript.locator(".msg-agent .msg-who")).to_have_text("Ana")  # the agent's name, not "Agente"
    expect(reply).to_have_value("")

    agent_page.get_by_role("button", name="Resolver").click()
    expect(agent_page.get_by_role("status")).to_contain_text("resuelta")
    expect(agent_page.locator("#mine .q-item")).to_have_count(0)

    # The same shopper comes back days later (past REOPEN_WINDOW_HOURS: a new conversation, not conversation
    # 1 reopened): the agent sees the earlier conversation in the context.
    resolved_days_ago(shop, conversation_id=1, days=4)
    widget_box.fill("otra vez yo, quiero un humano")
    widget_box.press("Enter")
    agent_page.get_by_role("button", name="Atender la conversación 3").click()
    earlier = agent_page.locator("#context .ctx-earlier")
    expect(earlier).to_contain_text(re.compile(r"#1 · widget · Resuelta · \d+ mensajes"))
    earlier.get_by_text("#1 · widget").click()  # unfold it
    expect(earlier).to_contain_text("es el pedido A-1001")
    expect(earlier).to_contain_text("Hola, soy Ana. Miro tu pedido")


def test_the_header_links_read_like_the_rest_of_the_header(agent_page: Page, shop: RunningHub) -> None:
    """The header's links (FAQ; Informes for supervisors) were the browser's default blue on the dark
    bar, hard to read (about 2:1 contrast); found by ops/desk_walk.py."""
    add_agent(shop, "ana@tiendasol.example", "Ana")
    log_in(agent_page, shop, "ana@tiendasol.example")
    faq = agent_page.get_by_role("link", name="FAQ")
    expect(faq).to_be_visible()
    colour = "e => getComputedStyle(e).color"
    assert faq.evaluate(colour) == agent_page.locator("#me-name").evaluate(colour) == "rgb(255, 255, 255)"


def test_customer_text_is_shown_as_text_never_html(page: Page, agent_page: Page, shop: RunningHub) -> None:
    add_agent(shop, "ana@tiendasol.example", "Ana")
    customer_asks_for_a_person(page, shop, '<img src=x onerror="window.pwned=1"> quiero un humano')
    log_in(agent_page, shop, "ana@tiendasol.example")

    agent_page.get_by_role("button", name="Atender la siguiente").click()

    expect(agent_page.locator("#transcript .msg-customer")).to_contain_text(
        '<img src=x onerror="window.pwned=1">'
    )
    expect(agent_page.locator("#context .ctx-summary")).to_contain_text("<img")
    assert agent_page.evaluate("window.pwned") is None
    assert agent_page.locator("#transcript img, #context img").count() == 0


def test_errors_are_shown_to_the_agent(page: Page, agent_page: Page, shop: RunningHub) -> None:
    add_agent(shop, "ana@tiendasol.example", "Ana", max_concurrent=1)
    customer_asks_for_a_person(page, shop)
    log_in(agent_page, shop, "ana@tiendasol.example")
    take_next = agent_page.get_by_role("button", name="Atender la siguiente")

    take_next.click()
    expect(agent_page.locator("#mine .q-item")).to_have_count(1)
    take_next.click()
    expect(agent_page.get_by_role("alert")).to_contain_text("Ya atiendes el máximo de conversaciones")

    # The login ends elsewhere (logout from another tab): the console's socket is closed with
    # 4401 at once, so it goes back to the form, saying why, without waiting for a click.
    token = agent_page.evaluate("sessionStorage.getItem('mostrador-console:token')")
    agent_page.request.post(f"{shop.url}/api/v1/agent/logout", headers={"Authorization": f"Bearer {token}"})
    expect(agent_page.get_by_text("Tu sesión ha caducado. Vuelve a entrar.")).to_be_visible()
    expect(agent_page.get_by_label("Correo electrónico")).to_be_focused()

    agent_page.get_by_label("Correo electrónico").fill("ana@tiendasol.example")
    agent_page.get_by_label("Contraseña").fill("wrong password")
    agent_page.get_by_role("button", name="Entrar").click()
    expect(agent_page.get_by_text("Correo o contraseña incorrectos.")).to_be_visible()


def test_the_console_speaks_english_and_works_with_the_keyboard(
    page: Page, agent_page: Page, shop: RunningHub
) -> None:
    add_agent(shop, "ana@tiendasol.example", "Ana")
    customer_asks_for_a_person(page, shop)
    agent_page.goto(f"{shop.url}/agent")
    agent_page.get_by_label("Idioma").select_option("en")
    expect(agent_page.get_by_role("heading", name="Log in to the console")).to_be_visible()

    agent_page.get_by_label("Email").focus()
    agent_page.keyboard.type("ana@tiendasol.example")
    agent_page.keyboard.press("Tab")
    agent_page.keyboard.type(PASSWORD)
    agent_page.keyboard.press("Enter")
    expect(waiting_item(agent_page)).to_contain_text("Asked for a person")

    agent_page.get_by_role("button", name="Take next").focus()
    agent_page.keyboard.press("Enter")
    expect(agent_page.get_by_label("Reply to the customer")).to_be_focused()
    agent_page.keyboard.type("Hi, I am Ana")
    agent_page.keyboard.press("Enter")
    expect(page.locator(".mw-msg--out[data-sender=agent]").filter(has_text="Hi, I am Ana")).to_be_visible()

    agent_page.reload()  # the login is kept for the tab, and the language for the browser
    expect(agent_page.get_by_role("heading", name="My conversations")).to_be_visible()
    expect(agent_page.get_by_role("button", name="Open conversation 1")).to_be_visible()


def test_an_agent_transfers_to_a_colleague_who_hands_back_to_the_bot(
    page: Page, agent_page: Page, pages: Callable[[], Page], shop: RunningHub
) -> None:
    add_agent(shop, "ana@tiendasol.example", "Ana")
    add_agent(shop, "luis@tiendasol.example", "Luis")
    customer_asks_for_a_person(page, shop)
    log_in(agent_page, shop, "ana@tiendasol.example")
    luis = pages()
    log_in(luis, shop, "luis@tiendasol.example")
    agent_page.get_by_role("button", name="Atender la siguiente").click()
    expect(agent_page.locator("#transcript .msg-customer")).to_contain_text(ESCALATE)

    agent_page.get_by_text("Transferir", exact=True).click()
    expect(agent_page.get_by_role("combobox", name="Agente")).to_contain_text("Luis")
    agent_page.get_by_label("Nota para quien la recibe").fill("Cliente VIP, ofrecer envío gratis")
    agent_page.get_by_role("button", name="Transferir conversación").click()

    expect(agent_page.get_by_role("status")).to_contain_text("transferida")
    expect(agent_page.locator("#mine .q-item")).to_have_count(0)
    luis.get_by_role("button", name="Abrir la conversación 1").click()
    expect(luis.locator("#transcript .msg-note")).to_contain_text("Cliente VIP, ofrecer envío gratis")
    expect(page.locator(".mw-msg--system").filter(has_text="Luis")).to_be_visible()
    luis.get_by_label("Respuesta al cliente").fill("Hola, soy Luis; sigo yo con tu pedido")
    luis.get_by_label("Respuesta al cliente").press("Enter")
    expect(page.locator(".mw-msg--out[data-sender=agent]")).to_contain_text("soy Luis")
    expect(page.get_by_text("Cliente VIP")).to_have_count(0)  # a note never reaches the customer

    luis.get_by_role("button", name="Devolver al bot").click()
    expect(luis.get_by_role("status")).to_contain_text("devuelta al bot")
    widget_box = page.get_by_label("Escribe tu mensaje")
    widget_box.fill("¿cuánto tarda el envío?")
    widget_box.press("Enter")
    bot = page.locator(".mw-msg--out[data-sender=bot]")
    expect(bot.filter(has_text="Respuesta a: ¿cuánto tarda el envío?")).to_be_visible()


def test_a_conversation_a_colleague_took_first_and_a_lost_network_are_explained(
    page: Page, agent_page: Page, shop: RunningHub
) -> None:
    add_agent(shop, "ana@tiendasol.example", "Ana")
    add_agent(shop, "luis@tiendasol.example", "Luis")
    customer_asks_for_a_person(page, shop)
    stale: dict[str, str] = {}

    def queue_as_first_read(route: Route) -> None:
        """Ana's list stays as she first read it, as if she clicked before it refreshed."""
        if "body" not in stale:
            response = route.fetch()
            stale["body"] = response.text()
            route.fulfill(response=response)
        else:
            route.fulfill(status=200, content_type="application/json", body=stale["body"])

    agent_page.route("**/api/v1/agent/queue", queue_as_first_read)
    log_in(agent_page, shop, "ana@tiendasol.example")
    expect(waiting_item(agent_page)).to_have_count(1)
    login = agent_page.request.post(
        f"{shop.url}/api/v1/agent/login", data={"email": "luis@tiendasol.example", "password": PASSWORD}
    )
    luis = {"Authorization": f"Bearer {login.json()['token']}"}
    assert agent_page.request.post(f"{shop.url}/api/v1/agent/queue/claim", headers=luis).ok

    waiting_item(agent_page).get_by_role("button", name="Atender la conversación 1").click()
    expect(agent_page.get_by_role("alert")).to_contain_text("Otro agente ya ha tomado esa conversación")

    agent_page.context.set_offline(True)
    agent_page.get_by_role("button", name="Atender la siguiente").click()
    expect(agent_page.get_by_role("alert")).to_contain_text("Sin conexión con el servidor")
    agent_page.context.set_offline(False)
    agent_page.get_by_role("button", name="Atender la siguiente").click()
    expect(agent_page.get_by_role("alert")).to_contain_text("No hay conversaciones esperando")


def test_an_agent_confirms_that_two_shoppers_who_gave_one_email_are_one_person(
    page: Page, agent_page: Page, pages: Callable[[], Page], shop: RunningHub
) -> None:
    """A typed email merges nobody (issue 15, finding 2): the console offers the link, the agent confirms."""
    add_agent(shop, "ana@tiendasol.example", "Ana")
    earlier_shopper = pages()
    earlier_shopper.goto(f"{shop.url}/demo")
    earlier_shopper.get_by_role("button", name=re.compile("Abrir el chat")).click()
    box = earlier_shopper.get_by_label("Escribe tu mensaje")
    box.fill("hola, soy marta@example.com")
    box.press("Enter")
    expect(earlier_shopper.locator(".mw-msg--out").filter(has_text="Respuesta a: hola")).to_be_visible()
    customer_asks_for_a_person(page, shop, "soy marta@example.com y quiero un humano")
    log_in(agent_page, shop, "ana@tiendasol.example")
    agent_page.get_by_role("button", name="Atender la siguiente").click()

    links = agent_page.locator("#context .ctx-links")
    expect(links).to_contain_text("¿Es la misma persona?")
    expect(links).to_contain_text("tiene el mismo correo marta@example.com")
    expect(links).to_contain_text("Nadie lo ha verificado")
    expect(agent_page.locator("#context .ctx-earlier")).to_contain_text("Es su primera conversación.")
    links.get_by_role("button", name="Sí, unir los contactos").click()

    expect(links).to_have_count(0)
    expect(agent_page.locator("#context .ctx-earlier")).to_contain_text(re.compile(r"#1 · widget"))
