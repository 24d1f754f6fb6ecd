"""Learning runs from the agents' labels: recorded, readable by supervisors, and an admin may remove a
learned example (the next run rebuilds the index without it). SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from learning_testing import LearningHub

from knowledge_base import KBSettings
from knowledge_base.learn import Run
from knowledge_base.learned import learned_file, load_learned
from learning import learn_job
from learning.learn_job import learn

KB_FIXTURES = Path(__file__).resolve().parents[1] / "knowledge_base" / "fixtures"


@pytest.fixture
def kb(tmp_path: Path) -> KBSettings:
    """The small KB (pago-metodos, envio-plazo, ...) with its labelled queries as its test queries."""
    shutil.copytree(KB_FIXTURES / "kb_small", tmp_path / "kb")
    (tmp_path / "kb" / "queries").mkdir()
    shutil.copy(KB_FIXTURES / "kb_small_queries.jsonl", tmp_path / "kb" / "queries" / "test.jsonl")
    return KBSettings(path=tmp_path / "kb", index_dir=tmp_path / "kb-index",
                      calibration_queries=tmp_path / "none.jsonl")


def _label(hub: LearningHub, text: str, entry_id: str) -> int:
    conversation_id = hub.say(text)
    hub.say("quiero hablar con una persona")
    hub.wait_status(conversation_id, "open")
    message_id = next(m["id"] for m in hub.messages(conversation_id)
                      if m["message_type"] == "incoming" and m["text"] == text)
    hub.add_agent("ana@x.example")
    put = hub.client.put(f"/api/v1/learning/messages/{message_id}/label",
                         json={"label": "faq", "entry_id": entry_id}, headers=hub.login("ana@x.example"))
    assert put.status_code == 200, put.text
    return int(put.json()["id"])


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_run_learns_a_label_and_an_admin_removes_it(
    any_db_hub: LearningHub, database_url: str, kb: KBSettings
) -> None:
    hub = any_db_hub
    signal_id = _label(hub, "¿cómo puedo pagar?", "pago-metodos")

    row = learn(database_url, "test", kb)
    assert (row["outcome"], row["trigger"], row["label_ids"]) == ("kept", "test", [signal_id])
    assert row["before"]["known"]["n"] == 20 and row["finished_at"]
    assert [e.signal_id for e in load_learned(learned_file(kb))] == [signal_id]

    hub.add_agent("sue@x.example", role="supervisor")
    hub.add_agent("boss@x.example", role="admin")
    sue, boss = hub.login("sue@x.example"), hub.login("boss@x.example")
    runs = hub.client.get("/api/v1/learning/runs", headers=sue)
    assert runs.status_code == 200, runs.text
    assert [(r["id"], r["outcome"], r["label_ids"]) for r in runs.json()] == [
        (row["id"], "kept", [signal_id])]
    assert _error(hub.client.get("/api/v1/learning/runs", headers=hub.login("ana@x.example"))) == (
        403, "supervisor_only")

    examples = hub.client.get("/api/v1/learning/examples", headers=sue).json()
    assert [(e["text"], e["expected"], e["signal_id"], e["run_id"]) for e in examples] == [
        ("¿cómo puedo pagar?", "pago-metodos", signal_id, row["id"])]
    url = f"/api/v1/learning/examples/{examples[0]['id']}"
    assert _error(hub.client.delete(url, headers=sue)) == (403, "admin_only")
    assert _error(hub.client.delete("/api/v1/learning/examples/999", headers=boss)) == (
        404, "learned_example_not_found")
    removed = hub.client.delete(url, headers=boss)
    assert removed.status_code == 200 and removed.json()["removed_at"]
    assert hub.client.get("/api/v1/learning/examples", headers=sue).json() == []

    again = learn(database_url, "test", kb)
    assert again["outcome"] == "nothing_new"
    assert "rebuilt without the removed examples" in again["reason"]
    assert not learned_file(kb).exists()  # the removed label is not learned again either


def test_a_rolled_back_run_is_recorded_and_its_labels_wait_for_a_relabel(
    hub: LearningHub, sqlite_url: str, kb: KBSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    signal_id = _label(hub, "¿cómo puedo pagar?", "pago-metodos")

    def worse(_kb: KBSettings, _embedder: object, new: list[Any]) -> Run:
        return Run(False, "held-out quality worse: known: correct answers fell from 10 to 0 of 20",
                   list(new), {"known": {"correct": 10}}, {"known": {"correct": 0}}, {"known": 20})

    monkeypatch.setattr(learn_job, "learn_into_index", worse)
    row = learn(sqlite_url, "cron", kb)
    assert (row["outcome"], row["label_ids"]) == ("rolled_back", [signal_id])
    assert row["reason"].startswith("held-out quality worse")
    assert not learned_file(kb).exists()
    assert learn(sqlite_url, "cron", kb)["label_ids"] == []  # not retried until relabelled
