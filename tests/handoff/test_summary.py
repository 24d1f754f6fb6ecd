"""The summary quotes what the customer wants, not their greetings."""

from __future__ import annotations

from handoff.summary import summarize


def test_the_summary_keeps_the_request_and_drops_small_talk() -> None:
    texts = [
        "Hola, buenas tardes.",
        "Mi pedido A-1001 no ha llegado. Lo pedí el lunes y el pedido era un regalo.",
        "Gracias.",
    ]
    summary = summarize(texts)
    assert "pedido A-1001 no ha llegado" in summary
    assert "buenas tardes" not in summary and summary != ""


def test_nothing_to_summarise_gives_an_empty_summary() -> None:
    assert summarize([]) == "" and summarize(["hola", "ok"]) == ""
