"""GET /metrics as Prometheus scrapes it: a customer's message is counted (received, receipt, its latency)
and the bot's answer observed; the queue length is read from the database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reports_testing import Reports

from tests.fakes.rasa import FakeRasa

ROOT = Path(__file__).resolve().parents[2]


def _value(text: str, sample: str) -> float:
    """The value of one sample line, e.g. 'mostrador_messages_received_total{channel="api"}'; 0 if absent."""
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def _scrape(reports: Reports) -> str:
    response = reports.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_a_message_is_counted(reports: Reports) -> None:
    before = _scrape(reports)
    receipt = reports.post("hola")
    assert receipt.status_code == 202, receipt.text
    reports.wait_idle(receipt.json()["conversation_id"])
    after = _scrape(reports)
    received = 'mostrador_messages_received_total{channel="api"}'
    assert _value(after, received) == _value(before, received) + 1
    receipts = 'mostrador_receipt_seconds_count{channel="api"}'
    assert _value(after, receipts) == _value(before, receipts) + 1
    answers = "mostrador_answer_seconds_count"
    assert _value(after, answers) == _value(before, answers) + 1
    sent = 'mostrador_messages_sent_total{channel="api",sender="bot"}'
    assert _value(after, sent) >= _value(before, sent) + 1
    resent = reports.post("hola otra vez", client_message_id="same")
    again = reports.post("hola otra vez", client_message_id="same")
    assert resent.json()["id"] == again.json()["id"]
    last = _scrape(reports)
    assert _value(last, received) == _value(after, received) + 1  # the duplicate is not a new message
    assert _value(last, 'mostrador_receipts_total{channel="api"}') == _value(
        after, 'mostrador_receipts_total{channel="api"}'
    ) + 2


def test_the_queue_length_is_read_at_each_scrape(reports: Reports, rasa: FakeRasa) -> None:
    assert _value(_scrape(reports), "mostrador_queue_length") == 0
    rasa.reply = lambda _text, _meta: [
        {"custom": {"handoff": {"reason": "explicit_request"}}}
    ]
    receipt = reports.post("quiero una persona")
    reports.wait_until(
        lambda: reports.conversation(receipt.json()["conversation_id"])["status"] == "open", "handed off"
    )
    assert _value(_scrape(reports), "mostrador_queue_length") == 1


def test_several_processes_are_summed_with_a_multiprocess_dir(tmp_path: Path) -> None:
    """Two processes (say a web process and a worker) count a message each; a third one's /metrics
    registry sums them (PROMETHEUS_MULTIPROC_DIR, as ops.scaled sets it)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    count = "from hub import metrics; metrics.MESSAGES_RECEIVED.labels('whatsapp').inc()"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    show = (
        "from prometheus_client import generate_latest; from kpis.metrics import _registry; "
        "print(generate_latest(_registry()).decode())"
    )
    out = subprocess.run([sys.executable, "-c", show], env=env, check=True, timeout=60, capture_output=True,
                         text=True).stdout  # fmt: skip
    assert _value(out, 'mostrador_messages_received_total{channel="whatsapp"}') == 2


def test_with_a_metrics_token_only_the_scraper_reads_it(
    reports: Reports, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICS_TOKEN", "scrape-me")
    refused = reports.client.get("/metrics")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "metrics_token_required"
    wrong = reports.client.get("/metrics", headers={"Authorization": "Bearer scrape-you"})
    assert wrong.status_code == 401
    right = reports.client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert right.status_code == 200
    assert "mostrador_queue_length" in right.text
