"""Learning runs from the agents' labels: recorded, readable by supervisors, and an admin may remove a
learned example: the hub rebuilds the index without it at once (the bot no longer has it), or, when it
cannot, the next run does. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
from learning_testing import LearningHub

from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base.built_index import IndexStaleError
from knowledge_base.embedder import make_embedder
from knowledge_base.learn import Run
from knowledge_base.learned import Learned, learned_file, load_learned
from knowledge_base.rows import EXAMPLE
from learning import learn_job
from learning.learn_job import learn
from learning.unlearn import Unlearning


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


def _bot_knows(kb: KBSettings, entry_id: str) -> tuple[int, int]:
    """What an action server starting now loads (a stale index is refused): the learned examples,
    and ``entry_id``'s example rows (its phrasings + what was learned for it)."""
    built = KnowledgeBase.open(kb.model_copy(update={"auto_rebuild": False}), make_embedder(kb)).index
    table = built.retriever.table
    i = table.ids.index(entry_id)
    rows = table.kind[table.start[i]:table.start[i + 1]]
    return int(built.manifest.calibration["learned_examples"]), int((rows == EXAMPLE).sum())


def _removal_done(hub: LearningHub, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = hub.client.get("/api/v1/learning/examples/removal", headers=headers).json()
        if status["state"] != "rebuilding":
            return dict(status)
        time.sleep(0.2)
    pytest.fail("the index was not rebuilt in 300 s")


def test_a_run_learns_a_label_and_an_admin_removes_it_from_the_bot_at_once(
    kb_hub: LearningHub, database_url: str, kb: KBSettings
) -> None:
    hub = kb_hub
    signal_id = _label(hub, "¿cómo puedo pagar?", "pago-metodos")

    row = learn(database_url, "test", kb)
    assert (row["outcome"], row["trigger"], row["label_ids"]) == ("kept", "test", [signal_id])
    assert row["before"]["known"]["n"] == 20 and row["finished_at"]
    assert [e.signal_id for e in load_learned(learned_file(kb))] == [signal_id]
    learned, rows = _bot_knows(kb, "pago-metodos")
    assert learned == 1

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
    assert [(e["text"], e["expected"], e["question"], e["signal_id"], e["run_id"]) for e in examples] == [
        ("¿cómo puedo pagar?", "pago-metodos", "¿Qué formas de pago aceptáis?", signal_id, row["id"])]
    url = f"/api/v1/learning/examples/{examples[0]['id']}"
    assert _error(hub.client.delete(url, headers=sue)) == (403, "admin_only")
    assert _error(hub.client.delete("/api/v1/learning/examples/999", headers=boss)) == (
        404, "learned_example_not_found")
    removed = hub.client.delete(url, headers=boss)
    assert removed.status_code == 200, removed.text
    assert removed.json()["removed_at"] and removed.json()["takes_effect"] == "rebuilding"
    assert hub.client.get("/api/v1/learning/examples", headers=sue).json() == []
    status = _removal_done(hub, sue)
    assert (status["state"], status["dropped"], status["in_bot"], status["immediate"]) == ("done", 1, 0, True)

    # no learning run since: the learned file and the index a bot loads no longer have it
    assert not learned_file(kb).exists()
    assert _bot_knows(kb, "pago-metodos") == (0, rows - 1)
    again = learn(database_url, "test", kb)
    assert again["outcome"] == "nothing_new"
    assert "rebuilt without the removed examples" not in again["reason"]  # nothing left to do
    assert not learned_file(kb).exists()  # the removed label is not learned again either


def test_when_the_hub_cannot_rebuild_the_page_hears_it_and_the_next_run_removes_it(
    kb_hub: LearningHub, database_url: str, kb: KBSettings
) -> None:
    hub = kb_hub
    signal_id = _label(hub, "¿cómo puedo pagar?", "pago-metodos")
    assert learn(database_url, "test", kb)["outcome"] == "kept"

    def broken(_examples: list[Learned]) -> float:
        raise IndexStaleError("no index in kb")

    hub.client.app.state.unlearning = Unlearning(kb, broken)
    hub.add_agent("boss@x.example", role="admin")
    boss = hub.login("boss@x.example")
    example = hub.client.get("/api/v1/learning/examples", headers=boss).json()[0]
    removed = hub.client.delete(f"/api/v1/learning/examples/{example['id']}", headers=boss)
    assert removed.json()["takes_effect"] == "rebuilding"
    status = _removal_done(hub, boss)
    assert (status["state"], status["in_bot"], status["error"]) == (
        "failed", 1, "IndexStaleError: no index in kb")
    assert [e.signal_id for e in load_learned(learned_file(kb))] == [signal_id]  # nothing half-written

    again = learn(database_url, "test", kb)
    assert "rebuilt without the removed examples" in again["reason"]
    assert not learned_file(kb).exists()
    assert hub.client.get("/api/v1/learning/examples/removal", headers=boss).json()["in_bot"] == 0


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
