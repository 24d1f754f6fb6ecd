"""Language detection: Spanish first, informal Spanish is Spanish, sticky per conversation."""

from __future__ import annotations

import pytest

from hub.language import decide, detect


@pytest.mark.parametrize(
    "text",
    [
        "dnd esta mi pedido",
        "holaaa",
        "q tal",
        "¿cuánto tarda el envío?",
        "quiero devolver unas zapatillas",
        "buenas tardes, necesito ayuda",
        "xq no llega mi pedido??",
    ],
)
def test_informal_and_formal_spanish_is_spanish(text: str) -> None:
    assert decide(None, text) == "es"
    assert detect(text) == "es"


@pytest.mark.parametrize(
    "text", ["hi", "where is my order", "hello, I want a refund", "how long does shipping take?"]
)
def test_english_starts_an_english_conversation(text: str) -> None:
    assert decide(None, text) == "en"


@pytest.mark.parametrize("text", ["asdkjh qwe", "👍", "12345", "ok", "?!"])
def test_gibberish_keeps_the_current_language_or_the_default(text: str) -> None:
    assert detect(text) is None
    assert decide(None, text) == "es"
    assert decide(None, text, default="en") == "en"
    assert decide("en", text) == "en"
    assert decide("es", text) == "es"


def test_a_single_english_word_does_not_flip_a_spanish_conversation() -> None:
    assert decide("es", "thanks") == "es"
    assert decide("es", "hi") == "es"


def test_clear_english_switches_a_spanish_conversation_and_back() -> None:
    assert decide("es", "sorry, where is my order?") == "en"
    assert decide("en", "¿dónde está mi pedido?") == "es"


def test_mixed_message_goes_to_the_dominant_language() -> None:
    assert decide("es", "hola, where is my order please") == "en"
    assert decide("en", "hi, quiero saber donde esta mi pedido") == "es"
