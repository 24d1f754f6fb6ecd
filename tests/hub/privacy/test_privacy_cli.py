"""``python -m hub.privacy``: the operator exports a contact to a private file and erases it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from hub_testing import HubClient

from hub.privacy.__main__ import main


def test_export_then_erase(
    hub: HubClient,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    receipt = hub.post("hola, mi DNI es 12345678Z", source_id="cli-op").json()
    hub.wait_idle(receipt["conversation_id"])
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens: the export says so
    out = tmp_path / "contact.json"
    contact = str(receipt["contact_id"])

    assert main(["export", "--contact", contact, "--out", str(out)]) == 0

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["contact_id"] == receipt["contact_id"]
    assert "hola, mi DNI es 12345678Z" in [m["text"] for m in document["tables"]["messages"]]  # unmasked
    assert "error" in document["rasa_trackers"][str(receipt["conversation_id"])]

    assert main(["erase", "--contact", contact]) == 0
    assert f"contact {contact} erased" in capsys.readouterr().out
    assert main(["erase", "--contact", contact]) == 1
    assert "already erased" in capsys.readouterr().err
    assert main(["export", "--contact", "999"]) == 1
    assert "999" in capsys.readouterr().err
