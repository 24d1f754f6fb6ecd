"""Erasure against the real Rasa: the conversation's rows leave Rasa's SQL tracker store
(DATA_DIR/rasa_tracker.db, table events, sender_id = the conversation id), the export carried them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from ops.hub_client import HubClient
from ops.run import Endpoints
from ops.stack import ROOT, Stack


def _tracker_rows(data_dir: Path, conversation_id: int) -> int:
    with sqlite3.connect(data_dir / "rasa_tracker.db") as db:
        return int(db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (str(conversation_id),))
                   .fetchone()[0])


def _privacy(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    hub = next(s for s in stack.services if s.name == "hub")
    return subprocess.run([sys.executable, "-m", "hub.privacy", *args], cwd=ROOT,
                          env={**os.environ, **hub.env}, capture_output=True, text=True, timeout=120,
                          check=False)


async def test_erasure_removes_the_conversation_from_rasas_tracker_store(
    running_stack: tuple[Stack, Endpoints], stack_dir: Path
) -> None:
    stack, endpoints = running_stack
    customer = HubClient(endpoints.hub, api_key=endpoints.api_key)
    try:
        sent = await customer.send("hola")
        await customer.wait_answer(sent, timeout_s=90)
    finally:
        await customer.aclose()
    conversation_id, contact_id = sent.receipt["conversation_id"], str(sent.receipt["contact_id"])
    assert _tracker_rows(stack_dir, conversation_id) > 0
    out = stack_dir / "export.json"

    exported = _privacy(stack, "export", "--contact", contact_id, "--out", str(out))
    erased = _privacy(stack, "erase", "--contact", contact_id)

    assert exported.returncode == 0, exported.stderr
    tracker = json.loads(out.read_text())["rasa_trackers"][str(conversation_id)]
    assert tracker["sender_id"] == str(conversation_id)
    assert "hola" in [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert erased.returncode == 0, erased.stderr
    assert _tracker_rows(stack_dir, conversation_id) == 0
