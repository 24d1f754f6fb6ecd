"""The bot answers in the language the hub passes with each message (Spanish by default)."""

from __future__ import annotations

import pytest
from action_harness import run, tracker

from actions.language import ActionSetLanguage


@pytest.mark.parametrize(
    ("metadata_lang", "slot", "expected"),
    [("en", "es", "en"), ("en-GB", "es", "en"), ("es", "en", "es"), ("fr", "es", None),
     (None, "es", None), (None, "en", None)],
)
def test_language_slot_follows_the_metadata(
    metadata_lang: str | None, slot: str, expected: str | None
) -> None:
    _, events = run(
        ActionSetLanguage(), tracker("hi", "greet", language=metadata_lang, slots={"language": slot})
    )
    if expected is None:
        assert events == []  # unchanged: a missing or unknown language keeps the conversation's
    else:
        assert events == [{"event": "slot", "timestamp": None, "name": "language",
                           "value": expected}]


def test_no_language_anywhere_is_spanish() -> None:
    _, events = run(ActionSetLanguage(), tracker("hola", "greet", slots={"language": None}))
    assert [(e["name"], e["value"]) for e in events] == [("language", "es")]
