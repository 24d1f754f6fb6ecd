"""The bot answers in the language the hub passes with each message (Spanish by default)."""

from __future__ import annotations

import pytest
from action_harness import custom, run, tracker

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


def test_every_turn_from_the_hub_is_marked_with_its_message_id_and_nlu() -> None:
    """The hub counts a reply as its message's answer only with this mark: without it (action server
    down) Rasa's fallback "Perdona, no te he entendido" would pass for an answer."""
    t = tracker("cuanto tarda el envio", "ask_faq", language="es",
                entities=[{"entity": "order_number", "value": "AB12345", "start": 0, "end": 7}])
    t.latest_message["metadata"]["message_id"] = 42
    messages, _ = run(ActionSetLanguage(), t)
    mark = custom(messages, "turn")
    assert mark is not None
    assert mark["message_id"] == 42
    assert mark["intent"] == {"name": "ask_faq", "confidence": 0.95}
    assert mark["intent_ranking"] == [{"name": "ask_faq", "confidence": 0.95}]
    assert [e["value"] for e in mark["entities"]] == ["AB12345"]
    assert not [m for m in messages if m.get("text")]  # the customer sees nothing of it


def test_a_turn_not_from_the_hub_is_not_marked() -> None:
    messages, _ = run(ActionSetLanguage(), tracker("hola", "greet"))
    assert messages == []
