"""The reports page (GET /reports) in headless Chromium, as a support lead uses it: log in as a supervisor,
pick the day, read the numbers and the bot/human CSAT chart, drill down from the human CSAT to the bad
rating, download the CSV. The history is tests/kpis/kpi_history.py (four conversations on 2026-12-01).
Set REPORTS_SCREENSHOT=docs/img/reports.png to save the page as docs/kpis.md shows it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from browser_testing import RunningHub
from playwright.sync_api import Page, expect

from hub.models import Conversation
from surveys import follow_ups
from surveys.models import Survey, SurveyState
from tests.kpis.kpi_history import build, database

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-pass"


def _seed(hub: RunningHub) -> dict[str, int]:
    """The hand-built history, written from a thread of its own (Playwright's loop owns this one)."""
    found: dict[str, Any] = {}

    async def write() -> None:
        async with database(hub.database_url) as sessions, sessions.begin() as session:
            found.update(await build(session))
            # B's CSAT 2 as the surveys plug-in stores it: a follow-up for the lead.
            b = await session.get(Conversation, found["b"])
            assert b is not None
            survey = Survey(conversation_id=b.id, contact_id=b.contact_id, kind="csat",
                            state=SurveyState.ANSWERED, score=2, comment="Nadie me contestaba")
            session.add(survey)
            await session.flush()
            await follow_ups.create_if_bad(session, survey=survey)

    thread = threading.Thread(target=lambda: asyncio.run(write()))
    thread.start()
    thread.join(60)
    return found


def _supervisor(hub: RunningHub, email: str) -> None:
    """Through the real CLI, as an operator would (python -m handoff add-agent --role supervisor)."""
    env = {**os.environ, "DATABASE_URL": hub.database_url, "AGENT_PASSWORD": PASSWORD}
    done = subprocess.run(
        [sys.executable, "-m", "handoff", "add-agent", "--email", email, "--name", "Lucía",
         "--role", "supervisor"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_support_lead_reads_the_reports_and_drills_down_to_the_bad_rating(
    page: Page, hub: RunningHub
) -> None:
    ids = _seed(hub)
    _supervisor(hub, "lucia@tiendasol.example")
    page.goto(f"{hub.url}/reports")
    page.get_by_label("Correo electrónico").fill("lucia@tiendasol.example")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    # the first report of a fresh hub: under a loaded machine it took more than the default 5 s
    expect(page.locator("#cards .kpi").first).to_be_visible(timeout=30_000)

    page.get_by_label("Desde").fill("2026-12-01")
    page.get_by_label("Hasta").fill("2026-12-01")
    page.get_by_role("button", name="Ver", exact=True).click()
    card = page.locator("#cards .kpi")
    expect(card.filter(has_text="Conversaciones")).to_contain_text("4")
    expect(card.filter(has_text="Resueltas por el bot")).to_contain_text("25.0 %")
    expect(card.filter(has_text="CSAT solo bot (media)")).to_contain_text("5.0")
    expect(card.filter(has_text="CSAT con persona (media)")).to_contain_text("2.0")
    expect(card.filter(has_text="Quejas sin resolver")).to_contain_text("1")

    csat = page.evaluate(
        "() => Chart.getChart('chart-csat').data.datasets.map(d => [d.label, d.data])"
    )
    assert csat == [["Solo bot", [5]], ["Con persona", [2]]]
    reasons = page.evaluate("() => Chart.getChart('chart-reasons').data")
    assert dict(zip(reasons["labels"], reasons["datasets"][0]["data"], strict=True)) == {
        "Queja": 2, "Pide una persona": 1,
    }  # fmt: skip

    page.locator("button.kpi", has_text="CSAT con persona (media)").click()
    drill = page.locator("#drill")
    expect(drill.get_by_role("heading")).to_have_text("CSAT ≤ 2 (1)")
    rows = drill.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text(f"#{ids['b']}")
    expect(rows.first).to_contain_text("Queja")

    # The bad rating's conversation opens below, and it is waiting as a follow-up with its comment.
    rows.first.get_by_role("button", name=f"#{ids['b']}").click()
    transcript = page.locator("#transcript")
    expect(transcript).to_be_visible()
    expect(transcript.locator("li")).to_have_count(4)
    expect(transcript.locator("li.in")).to_have_count(1)
    follow = page.locator("#follow-up-rows tr")
    expect(follow).to_have_count(1)
    expect(follow.first).to_contain_text("Nadie me contestaba")
    expect(page.locator("#follow-ups-count")).to_have_text("1")
    if os.environ.get("REPORTS_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 1400})
        page.screenshot(path=os.environ["REPORTS_SCREENSHOT"], full_page=True)

    with page.expect_download() as download:
        page.get_by_role("button", name="Descargar CSV").click()
    path = download.value.path()
    with open(path, encoding="utf-8") as handle:
        table = list(csv.DictReader(io.StringIO(handle.read())))
    assert [int(row["conversation_id"]) for row in table] == [ids["a"], ids["b"], ids["c"], ids["d"]]
    assert [row["csat"] for row in table] == ["5", "2", "", ""]

    # Done with the follow-up: it leaves the list.
    follow.first.get_by_role("button", name="Hecho").click()
    expect(page.locator("#follow-ups-count")).to_have_text("0")
    expect(page.locator("#follow-ups-none")).to_be_visible()

    # The same page in English, numbers and chart legends included; the choice is the console's too.
    page.get_by_label("Idioma").select_option("en")
    expect(card.filter(has_text="Resolved by the bot")).to_contain_text("25.0 %")
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
    legend = page.evaluate("() => Chart.getChart('chart-csat').data.datasets.map(d => d.label)")
    assert legend == ["Bot only", "With a person"]
    assert page.evaluate("() => localStorage.getItem('mostrador-console:lang')") == "en"
