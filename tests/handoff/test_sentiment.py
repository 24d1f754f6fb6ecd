"""The lexicon sentiment agents see: angry, neutral and happy customers told apart (es + en)."""

from __future__ import annotations

from handoff.sentiment import score


def test_angry_neutral_and_happy_customers() -> None:
    assert score(["Esto es un desastre, el pedido llega tarde y nadie responde"])["label"] == "negative"
    assert score(["¿Cuánto tarda el envío a Sevilla?"])["label"] == "neutral"
    assert score(["Genial, muchas gracias, perfecto"])["label"] == "positive"
    assert score(["It does not work, terrible service"])["label"] == "negative"


def test_a_negated_positive_word_counts_against() -> None:
    assert score(["no funciona bien"])["label"] == "negative"


def test_the_customer_who_says_it_does_not_help_is_not_neutral() -> None:
    """Issue #5's demo line: "no me sirve" is the frustration the policy hands off for."""
    assert score(["no me sirve, quiero un humano"])["label"] == "negative"
    assert score(["no funciona"])["label"] == "negative"
    assert score(["it still doesn't work"])["label"] == "negative"
