"""What counts as an answer to "¿Te ha servido?": the buttons' payloads and short typed answers; anything
longer is a new message for the bot (the customer is answered, not stuck in the question)."""

from __future__ import annotations

import pytest

from learning import texts


@pytest.mark.parametrize("typed", ["/feedback_yes", "Sí", "si!", "vale", "👍", "Yes", "sí, gracias"])
def test_yes(typed: str) -> None:
    assert texts.answer_of(typed) is True


@pytest.mark.parametrize("typed", ["/feedback_no", "No", "no.", "NO ME HA SERVIDO", "👎", "nope"])
def test_no(typed: str) -> None:
    assert texts.answer_of(typed) is False


@pytest.mark.parametrize(
    "typed", ["no me llega el pedido", "sí, ¿y cuánto cuesta el envío?", "hola", "", "¿puedo pagar a plazos?"]
)
def test_anything_else_is_a_new_message(typed: str) -> None:
    assert texts.answer_of(typed) is None


def test_english_customers_read_english() -> None:
    assert texts.question("en") == "Did this help?"
    assert [b["title"] for b in texts.buttons("en")] == ["👍 Yes", "👎 No"]
    assert texts.sorry("en").startswith("Sorry it didn't help")
    assert texts.question("fr") == "¿Te ha servido?"  # Spanish first
