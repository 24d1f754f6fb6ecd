"""The reports read what the product really stores: two api customers, one helped by the bot alone and
one by an agent, both resolved and rated through the surveys (tests/surveys' hub); the KPIs, the
drill-down to the bad rating and the CSV agree with what they did."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

_TESTS = Path(__file__).resolve().parents[1]
for _folder in (_TESTS / "surveys", _TESTS / "hub", _TESTS / "hub" / "channels", _TESTS / "handoff"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from starlette.testclient import TestClient  # noqa: E402
from surveys_testing import SurveyHub, handing_off_bot  # noqa: E402

from hub.clock import utcnow  # noqa: E402
from mostrador.wiring import create_app  # noqa: E402
from surveys.settings import SurveySettings  # noqa: E402
from tests.fakes.rasa import FakeRasa  # noqa: E402
from tests.support.in_process_hub import hub_settings  # noqa: E402


@pytest.fixture
def hub(database_url: str, tmp_path: Path, rasa: FakeRasa) -> Iterator[SurveyHub]:
    rasa.reply = handing_off_bot
    surveys = SurveySettings(surveys_bot_csat_share=1.0)
    app = create_app(hub_settings(database_url, tmp_path), survey_settings=surveys,
                     rasa_transport=httpx.MockTransport(rasa.handle))  # fmt: skip
    with TestClient(app) as client:
        yield SurveyHub(client, surveys, rasa)


def _rate(hub: SurveyHub, source_id: str, csat: str, nps: str) -> None:
    hub.say(csat, source_id=source_id)
    hub.say("nada más", source_id=source_id)  # the optional comment; then NPS is asked
    hub.say(nps, source_id=source_id)


def test_a_bot_only_and_a_human_conversation_rated_show_on_the_reports(hub: SurveyHub) -> None:
    bot_only = hub.say("¿cuánto tarda el envío?", source_id="marta")
    hub.say("muchas gracias", source_id="marta")
    hub.wait_closed(bot_only)
    _rate(hub, "marta", "5", "10")

    human = hub.say("quiero hablar con una persona", source_id="luis")
    hub.resolved_by_agent(human)
    hub.wait_closed(human)
    _rate(hub, "luis", "2", "3")

    today = utcnow().date()  # and yesterday: a run across midnight (UTC) still finds both
    period: dict[str, Any] = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}
    headers = hub.reader_headers()
    found = hub.client.get("/api/v1/reports/kpis", params=period, headers=headers).json()["total"]
    assert (found["conversations"], found["containment"], found["handoff_rate"]) == (2, 0.5, 0.5)
    assert (found["csat_bot"], found["csat_human"], found["nps"]) == (5.0, 2.0, 0.0)
    assert found["csat_response_rate"] == 1.0
    assert found["fcr"] == 1.0
    assert found["queue_wait_median"] is not None and found["frt_bot_median"] is not None

    low = hub.client.get("/api/v1/reports/conversations", params={**period, "drill": "csat_low"},
                         headers=headers).json()  # fmt: skip
    assert [(row["conversation_id"], row["csat"], row["resolved_by"]) for row in low] == [(human, 2, "agent")]

    table = hub.client.get("/api/v1/reports/conversations.csv", params=period, headers=headers).text
    rows = {int(r["conversation_id"]): r for r in csv.DictReader(io.StringIO(table))}
    marta = rows[bot_only]
    assert (marta["resolved_by"], marta["csat"], marta["csat_human"], marta["nps"]) == ("bot", "5", "0", "10")
    assert (rows[human]["handoff_reason"], rows[human]["csat_human"], rows[human]["nps"]) == (
        "explicit_request", "1", "3",
    )  # fmt: skip
