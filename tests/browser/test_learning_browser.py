"""An agent labels, from the context panel, the question the bot handed off with the FAQ that answers it
(issue 16): "Responde la FAQ…", a search, a click on the entry; then changes it to "Ninguna FAQ lo
cubre" and takes it back. In headless Chromium next to a widget shopper; the label is stored as a
confirmed signal. Set CONSOLE_SCREENSHOTS=docs/img to save docs/img/console_learning.png."""

from __future__ import annotations

import os
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
