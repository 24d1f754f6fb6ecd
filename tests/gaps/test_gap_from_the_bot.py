"""Through the hub's own turn, as the action server reports it: five customers whose questions the knowledge
base handed off (its ``{"kb": ...}`` payload, stored on the message) show up as one cluster."""

from __future__ import annotations

from typing import Any

from gap_testing import DOGS, GapHub

from tests.fakes.rasa import FakeRasa


def _kb_hands_off(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The action server when no FAQ entry scores high enough (actions/faq.py)."""
    kb = {"decision": "handoff", "reason": "top score 0.790 < clarify 0.832", "candidates": []}
    handoff = {"reason": "kb_no_answer", "detail": {"query": text, "kb_reason": kb["reason"]}}
    return [
        {"text": "No tengo la respuesta; te paso con una persona."},
        {"custom": {"handoff": handoff}},
        {"custom": {"kb": kb}},
    ]


def test_questions_the_bot_handed_off_are_clustered(gaps: GapHub, rasa: FakeRasa) -> None:
    rasa.reply = _kb_hands_off
    for i, text in enumerate(DOGS):
        sent = gaps.post(text, source_id=f"cliente-{i}")
        assert sent.status_code < 300, sent.text
        gaps.wait_idle(sent.json()["conversation_id"])

    clusters = gaps.get("/api/v1/gaps")["clusters"]
    assert [(c["size"], c["why"]) for c in clusters] == [(5, {"handoff": 5})]
    assert sorted(clusters[0]["questions"]) == sorted(DOGS)
