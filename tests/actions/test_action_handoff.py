"""Asking for a person or complaining hands the conversation to humans, with a reason."""

from __future__ import annotations

from action_harness import custom, responses, run, tracker

from actions.handoff import ActionHandoff


def test_explicit_request_for_a_person() -> None:
    messages, _ = run(ActionHandoff(), tracker("quiero hablar con una persona", "request_human"))
    assert responses(messages) == ["utter_handoff_explicit_request"]
    handoff = custom(messages, "handoff")
    assert handoff is not None and handoff["reason"] == "explicit_request"
    assert handoff["detail"]["query"] == "quiero hablar con una persona"


def test_complaint_apologises_and_hands_off() -> None:
    messages, _ = run(ActionHandoff(), tracker("es una verguenza", "complaint"))
    assert responses(messages) == ["utter_handoff_complaint"]
    handoff = custom(messages, "handoff")
    assert handoff is not None and handoff["reason"] == "complaint"
