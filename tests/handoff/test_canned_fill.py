"""A canned reply filled for a conversation (handoff/canned_fill.py): the language picks the text, the
variables are filled by either name, and what nobody knows stays visible for the agent."""

from __future__ import annotations

from handoff.canned_fill import fill
from handoff.models import CannedReply

KNOWN = {"customer_name": "Marta", "order_number": "A-1001", "agent_name": "Ana"}


def reply(texts: dict[str, str], owner: int | None = None) -> CannedReply:
    return CannedReply(id=7, shortcut="x", title="X", texts=texts, owner_agent_id=owner)


def test_spanish_and_english_names_of_a_variable_are_the_same_value() -> None:
    filled = fill(reply({"es": "{{nombre}} / {{ customer_name }} · {{pedido}} · {{agente}}"}), language="es",
                  values=KNOWN)  # fmt: skip
    assert (filled.text, filled.missing, filled.scope) == ("Marta / Marta · A-1001 · Ana", [], "shared")


def test_the_conversations_language_then_spanish_then_any() -> None:
    both = reply({"es": "Hola {{nombre}}", "en": "Hi {{customer_name}}"})
    assert (fill(both, language="en", values=KNOWN).text, fill(both, language="fr", values=KNOWN).text) == (
        "Hi Marta", "Hola Marta")  # fmt: skip
    only_english = fill(reply({"en": "Hi"}, owner=3), language="es", values=KNOWN)
    assert (only_english.language, only_english.text, only_english.scope) == ("en", "Hi", "personal")


def test_what_nobody_knows_stays_as_written_and_is_listed_once() -> None:
    filled = fill(reply({"es": "{{nombre}}, tu pedido {{pedido}}; gracias, {{nombre}}"}), language="es",
                  values={"customer_name": None, "order_number": "", "agent_name": "Ana"})  # fmt: skip
    assert filled.text == "{{nombre}}, tu pedido {{pedido}}; gracias, {{nombre}}"
    assert filled.missing == ["nombre", "pedido"]


def test_a_value_that_looks_like_a_variable_is_not_filled_again() -> None:
    values = {"customer_name": "{{pedido}}", "order_number": "A-1", "agent_name": "Ana"}
    filled = fill(reply({"es": "{{nombre}} {{pedido}}"}), language="es", values=values)
    assert (filled.text, filled.missing) == ("{{pedido}} A-1", [])
