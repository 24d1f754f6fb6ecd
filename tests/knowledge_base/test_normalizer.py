from __future__ import annotations

import pytest

from knowledge_base.normalizer import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Holaaa xq no me llega el pedido??", "hola porque no me llega el pedido?"),
        ("¿Cuánto tarda el envío?", "cuánto tarda el envío?"),
        ("dnd esta mi pedidoooo!!!", "donde esta mi pedido!"),
        ("q tal, tb quiero saber x q", "que tal, también quiero saber por que"),
        ("xfa k me lo cambien tmb", "por favor que me lo cambien también"),
        ("pq no puedo pagar", "porque no puedo pagar"),
    ],
)
def test_spanish_chat_writing_is_normalised(raw: str, expected: str) -> None:
    assert normalize(raw, "es") == expected


def test_numbers_and_doubled_letters_survive() -> None:
    assert normalize("llamé al 600111222, pedido 2000, la calle", "es") == (
        "llamé al 600111222, pedido 2000, la calle"
    )


def test_english_abbreviations_use_the_english_table() -> None:
    assert normalize("wat r ur hours pls", "en") == "what are your hours please"
    assert normalize("x", "en") == "x"


def test_accents_can_be_stripped() -> None:
    assert normalize("Envío a Cádiz", "es", accents=False) == "envio a cadiz"


def test_english_contractions_without_apostrophe_are_restored() -> None:
    assert normalize("it isnt here and i havent got the email", "en") == (
        "it isn't here and i haven't got the email"
    )


def test_whatsapp_spellings_become_whatsapp_in_spanish() -> None:
    assert normalize("se os puede escribir x wasap?", "es") == "se os puede escribir por whatsapp?"
    assert normalize("teneis wsp", "es") == "teneis whatsapp"
