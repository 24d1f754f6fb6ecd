"""An agent labels, from the context panel, the question the bot handed off with the FAQ that answers it
(issue 16): "Responde la FAQ…", a search, a click on the entry; then changes it to "Ninguna FAQ lo
cubre" and takes it back. In headless Chromium next to a widget shopper; the label is stored as a
confirmed signal. Set CONSOLE_SCREENSHOTS=docs/img to save docs/img/console_learning.png."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable

import pytest
from browser_testing import Reply, RunningHub
from playwright.sync_api import Page, expect
from test_agent_console_browser import add_agent, customer_asks_for_a_person, log_in, pages  # noqa: F401

pytestmark = pytest.mark.browser

QUESTION = "¿cuánto tiempo tengo para devolverlo? quiero un humano"


def handing_off_bot(text: str) -> Reply:
    if "humano" in text:
        return [
            {"text": "Te paso con una persona."},
            {"custom": {"kb": {"decision": "handoff", "reason": "top score 0.41 < 0.6", "candidates": [
                {"id": "devolucion-coste", "score": 0.41,
                 "question": "¿Cuánto cuesta devolver un pedido?"}]}}},
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]  # fmt: skip
    return [{"text": f"Respuesta a: {text}"}]


def _labels(hub: RunningHub) -> list[tuple[str, str, str | None]]:
    path = hub.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT kind, strength, expected FROM learning_signals ORDER BY id").fetchall()
    return [(str(k), str(s), e) for k, s, e in rows]


def test_an_agent_labels_a_handed_off_question_with_the_faq(
    page: Page, pages: Callable[[], Page], hub: RunningHub  # noqa: F811
) -> None:
    hub.rasa.answer = handing_off_bot
    add_agent(hub, "ana@tiendasol.example", "Ana")
    customer_asks_for_a_person(page, hub, QUESTION)
    ana = pages()
    log_in(ana, hub, "ana@tiendasol.example")
    ana.get_by_role("button", name="Atender la siguiente").click()

    turn = ana.locator("#context .ctx-turns .learn").first
    expect(turn).to_contain_text("¿Lo responde una FAQ?")
    turn.get_by_role("button", name="Responde la FAQ…").click()
    search = turn.get_by_label("Buscar en las FAQ")
    expect(search).to_be_focused()
    search.press_sequentially("dias devolver")
    pick = turn.locator(".learn-pick[data-entry-id='devolucion-plazo']")
    expect(pick).to_contain_text("¿Cuántos días tengo para devolver un producto?")
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        shot = os.path.join(os.environ["CONSOLE_SCREENSHOTS"], "console_learning.png")
        ana.locator("#context").screenshot(path=shot)
    pick.click()
    expect(turn.locator(".learn-label")).to_contain_text("lo responde la FAQ «devolucion-plazo»")
    assert _labels(hub) == [("faq", "confirmed", "devolucion-plazo")]

    # Taken back, then "no FAQ covers it" in one click.
    turn.get_by_role("button", name="Quitar").click()
    turn.get_by_role("button", name="Ninguna FAQ lo cubre").click()
    expect(turn.locator(".learn-label")).to_contain_text("ninguna FAQ lo cubre")
    assert _labels(hub) == [("no_faq", "confirmed", None)]

    # The label is there when the conversation is opened again (read from the API).
    ana.reload()
    expect(ana.get_by_role("heading", name="Cola")).to_be_visible()


def unsure_bot(text: str) -> Reply:
    """An FAQ answer barely ahead of the runner-up: not clearly confident, so the customer is asked."""
    return [
        {"text": "Tu pedido llega en 24-48 horas laborables."},
        {"custom": {"kb": {"decision": "answer", "reason": "confident", "candidates": [
            {"id": "envio-plazo", "score": 0.93, "question": "¿Cuánto tarda en llegar mi pedido?"},
            {"id": "envio-coste", "score": 0.92, "question": "¿Cuánto cuesta el envío?"}]}}},
    ]  # fmt: skip


def test_a_shopper_says_the_answer_did_not_help_and_gets_a_person(
    page: Page, pages: Callable[[], Page], hub: RunningHub  # noqa: F811
) -> None:
    hub.rasa.answer = unsure_bot
    page.goto(f"{hub.url}/demo")
    page.get_by_role("button", name=re.compile("Abrir el chat")).click()
    box = page.get_by_label("Escribe tu mensaje")
    box.fill("¿cuándo llega lo mío?")
    box.press("Enter")
    expect(page.locator(".mw-msg--out").filter(has_text="¿Te ha servido?")).to_be_visible()
    expect(page.get_by_role("button", name="👍 Sí")).to_be_visible()
    if os.environ.get("CONSOLE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["CONSOLE_SCREENSHOTS"], "widget_feedback.png"))
    page.get_by_role("button", name="👎 No").click()
    sorry = page.locator(".mw-msg--out").filter(has_text="Vaya, siento que no te haya servido")
    expect(sorry).to_be_visible()
    expect(page.locator(".mw-msg--system").first).to_be_visible()  # the queue position
    assert _labels(hub) == [("not_helpful", "explicit", None)]
    assert hub.rasa.calls == ["¿cuándo llega lo mío?"]  # the 👎 never reached the bot

    # The agent who takes it can label the question the answer did not help with, not the "👎 No".
    add_agent(hub, "ana@tiendasol.example", "Ana")
    ana = pages()
    log_in(ana, hub, "ana@tiendasol.example")
    ana.get_by_role("button", name="Atender la siguiente").click()
    offered = ana.locator("#context .ctx-turns .turn").filter(has=ana.locator(".learn:not([hidden])"))
    expect(offered).to_have_count(1)
    expect(offered).to_contain_text("¿cuándo llega lo mío?")
    expect(offered).not_to_contain_text("👎")
