"""Canned replies, FAQ answers, labels, "who else is viewing" and transfer notes in the agent console
(issue 18), in headless Chromium next to a widget shopper.

The desk has the demo's shared replies (``python -m handoff.canned_seed``, as ``make run`` puts them).
Agent Ana types "/sal" in the reply box, picks "/saludo" from the list with the keyboard, fills the name
the bot never learnt (the console selects {{nombre}} and will not send it as is without a warning), and
the shopper receives the filled text. Set CONSOLE_SCREENSHOTS=docs/img to save the console at 1280, 1440
and 1920 px wide as docs/agent_console.md shows it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from browser_testing import Reply, RunningHub
from playwright.sync_api import Page, expect
from test_agent_console_browser import PASSWORD, add_agent, customer_asks_for_a_person, log_in, pages  # noqa: F401

pytestmark = pytest.mark.browser

GREETING = "¡Hola Marta! Soy Ana, de Tienda Sol. Ya tengo tu conversación delante, dame un momento."
ANSWER = "Tienes 30 días para devolver tu pedido; la recogida es gratis."


def faq_bot(text: str) -> Reply:
    if "humano" in text:
        return [
            {"text": "Te paso con una persona."},
            {"custom": {"kb": {"decision": "handoff", "reason": "top score 0.41 < 0.6", "candidates": [
                {"id": "devoluciones", "score": 0.41, "question": "¿Cómo devuelvo un pedido?",
                 "answer": ANSWER, "lang": "es"}]}}},
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]  # fmt: skip
    return [{"text": f"Respuesta a: {text}"}]


@pytest.fixture
def desk(hub: RunningHub) -> RunningHub:
    hub.rasa.answer = faq_bot
    hub.rasa.slots = {"order_number": "A-1001"}
    env = {**os.environ, "DATABASE_URL": hub.database_url}
    seeded = subprocess.run([sys.executable, "-m", "handoff.canned_seed"], env=env, capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    return hub


def agent_said(shopper: Page, text: str) -> None:
    expect(shopper.locator(".mw-msg--out[data-sender=agent]").filter(has_text=text)).to_be_visible()


def test_an_agent_answers_with_canned_replies_and_an_faq_answer(
    page: Page, pages: Callable[[], Page], desk: RunningHub  # noqa: F811
) -> None:
    add_agent(desk, "ana@tiendasol.example", "Ana")
    add_agent(desk, "eva@tiendasol.example", "Eva")
    customer_asks_for_a_person(page, desk, "quiero devolver algo, quiero un humano")
    ana = pages()
    log_in(ana, desk, "ana@tiendasol.example")
    ana.get_by_role("button", name="Atender la siguiente").click()
    reply = ana.get_by_label("Respuesta al cliente")
    expect(reply).to_be_focused()

    # "/" opens the list; typing filters it; the arrows move; Enter inserts the filled text.
    reply.press_sequentially("/")
    popup = ana.get_by_role("listbox")
    expect(popup.get_by_role("option")).to_have_count(5)
    reply.press_sequentially("sal")
    expect(popup.get_by_role("option")).to_have_count(1)
    expect(popup.get_by_role("option").first).to_contain_text("/saludo")
    reply.press("ArrowDown")
    reply.press("Enter")
    expect(popup).to_be_hidden()
    expect(reply).to_have_value(
        "¡Hola {{nombre}}! Soy Ana, de Tienda Sol. Ya tengo tu conversación delante, dame un momento."
    )
    expect(ana.locator("#canned-hint")).to_contain_text("{{nombre}}")

    # Enter with {{nombre}} still there: not sent; the variable is selected, so typing replaces it.
    reply.press("Enter")
    expect(reply).not_to_have_value("")
    assert ana.evaluate("document.getElementById('reply').value.slice("
                        "document.getElementById('reply').selectionStart, "
                        "document.getElementById('reply').selectionEnd)") == "{{nombre}}"  # fmt: skip
    reply.press_sequentially("Marta")
    reply.press("Enter")
    agent_said(page, GREETING)
    expect(reply).to_have_value("")

    # The order number the bot collected is filled in: sent at once.
    reply.press_sequentially("/ped")
    reply.press("Enter")
    reply.press("Enter")
    agent_said(page, "Estoy mirando tu pedido A-1001. Te digo algo en un par de minutos.")

    # The FAQ candidate's answer goes into the box to edit, then out.
    ana.locator("#context .ctx-turns").get_by_role("button", name=re.compile("Insertar la respuesta")).click()
    expect(reply).to_have_value(ANSWER)
    reply.press("End")
    reply.press_sequentially(" ¿Te envío la etiqueta?")
    reply.press("Enter")
    agent_said(page, ANSWER + " ¿Te envío la etiqueta?")
    expect(page.get_by_text("{{")).to_have_count(0)  # no raw variable ever reached the shopper

    # A label, shown on the conversation and in "Mis conversaciones".
    ana.get_by_label("Añadir etiqueta").fill("Devolución")
    ana.get_by_role("button", name="Añadir etiqueta").click()
    expect(ana.locator("#conv-labels .conv-label")).to_have_text(["devolución×"])
    expect(ana.locator("#mine .tag-label")).to_have_text("devolución")

    # A supervisor looks at it: Ana sees who.
    add_agent(desk, "sara@tiendasol.example", "Sara")
    login = ana.request.post(f"{desk.url}/api/v1/agent/login",
                             data={"email": "sara@tiendasol.example", "password": PASSWORD})  # fmt: skip
    sara = {"Authorization": f"Bearer {login.json()['token']}"}
    subprocess.run([sys.executable, "-m", "handoff", "set-role", "--email", "sara@tiendasol.example",
                    "--role", "supervisor"], env={**os.environ, "DATABASE_URL": desk.database_url},
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    viewing = f"{desk.url}/api/v1/agent/conversations/1/viewing"
    assert ana.request.post(viewing, data={"on": True}, headers=sara).ok
    expect(ana.locator("#viewers")).to_have_text("◉ También la está viendo: Sara")
    expect(ana.locator("#mine .q-viewers")).to_contain_text("Sara")

    # The shopper types: the typing line takes room from the transcript, whose last line stays in view.
    page.get_by_label("Escribe tu mensaje").press_sequentially("vale, gracias")
    expect(ana.get_by_text("El cliente está escribiendo…")).to_be_visible()
    at_end = "(l => l.scrollHeight - l.scrollTop - l.clientHeight < 2)(document.getElementById('transcript'))"
    ana.wait_for_function(at_end)

    shots = os.environ.get("CONSOLE_SCREENSHOTS")
    if shots:
        for width in (1280, 1440, 1920):
            ana.set_viewport_size({"width": width, "height": 900})
            ana.wait_for_function(at_end)
            ana.screenshot(path=os.path.join(shots, f"agent_console_{width}.png"))
        ana.set_viewport_size({"width": 1440, "height": 900})
        reply.press_sequentially("/")
        expect(popup).to_be_visible()
        ana.screenshot(path=os.path.join(shots, "agent_console_canned.png"))
        reply.press("Escape")
        reply.fill("")

    # A transfer note reaches Eva marked as one.
    ana.get_by_text("Transferir", exact=True).click()
    ana.get_by_label("Nota para quien la recibe").fill("Quiere devolver, etiqueta pendiente")
    ana.get_by_role("button", name="Transferir conversación").click()
    eva = pages()
    log_in(eva, desk, "eva@tiendasol.example")
    eva.get_by_role("button", name="Abrir la conversación 1").click()
    note = eva.locator("#transcript .msg-transfer")
    expect(note).to_contain_text("Nota de traspaso · Ana")
    expect(note).to_contain_text("Quiere devolver, etiqueta pendiente")


def test_an_agent_keeps_personal_replies_in_the_panel(
    page: Page, pages: Callable[[], Page], desk: RunningHub  # noqa: F811
) -> None:
    add_agent(desk, "ana@tiendasol.example", "Ana")
    customer_asks_for_a_person(page, desk, "quiero un humano")
    ana = pages()
    log_in(ana, desk, "ana@tiendasol.example")
    ana.get_by_role("button", name="Respuestas predefinidas").click()
    panel = ana.get_by_role("dialog", name="Respuestas predefinidas")
    expect(panel.locator(".cp-item")).to_have_count(5)
    expect(panel.get_by_role("button", name="Editar /saludo")).to_have_count(0)  # shared: supervisors only
    expect(panel.get_by_label("Quién la ve")).to_have_text("Personal")

    panel.get_by_label("Atajo").fill("saludo")
    panel.get_by_label("Título").fill("Mi saludo")
    panel.get_by_label("Texto en español").fill("Buenas, {{nombre}}: soy {{agente}}.")
    panel.get_by_role("button", name="Guardar").click()
    expect(panel.get_by_role("alert")).to_contain_text("Ya tienes una respuesta con ese atajo")
    expect(panel.get_by_label("Texto en español")).to_have_value("Buenas, {{nombre}}: soy {{agente}}.")
    panel.get_by_label("Atajo").fill("buenas")
    panel.get_by_role("button", name="Guardar").click()
    expect(panel.locator(".cp-item[data-shortcut=buenas]")).to_contain_text("Personal · ES")
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        ana.screenshot(path=os.path.join(os.environ["CONSOLE_SCREENSHOTS"], "agent_console_canned_panel.png"))
    panel.get_by_role("button", name="Cerrar").click()

    ana.get_by_role("button", name="Atender la siguiente").click()
    reply = ana.get_by_label("Respuesta al cliente")
    expect(reply).to_be_focused()
    reply.press_sequentially("/buen")
    expect(ana.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    reply.press("Tab")
    expect(reply).to_have_value("Buenas, {{nombre}}: soy Ana.")
    reply.press_sequentially("Marta")
    reply.press("Enter")
    agent_said(page, "Buenas, Marta: soy Ana.")
