"""The bot's own checks (bot/test.sh): data validation, test stories in es+en, held-out NLU accuracy."""

from __future__ import annotations

import subprocess

import pytest

from ops.stack import ROOT


@pytest.mark.e2e
def test_rasa_validates_and_passes_its_test_stories_and_nlu_floor() -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "bot" / "test.sh")], cwd=ROOT, capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, f"bot/test.sh failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
