"""When the policy hands a conversation to humans, with which reason and priority."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from handoff import config
from handoff.policy import DEFAULT_POLICY_PATH, PRIORITIES, Turn
from handoff.settings import HandoffSettings


def turn(text: str = "hola", **kwargs: Any) -> Turn:
    base: dict[str, Any] = {
        "conversation_id": 1,
        "contact_id": 7,
        "channel": "whatsapp",
        "source_id": "34600111222",
        "language": "es",
        "text": text,
    }
    return Turn(**{**base, **kwargs})


DEFAULT = config.load(DEFAULT_POLICY_PATH).policy


def test_a_normal_question_stays_with_the_bot() -> None:
    assert DEFAULT.evaluate(turn("¿cuánto tarda el envío a Sevilla?", intent="ask_shipping")) is None


def test_one_nlu_fallback_is_not_enough_but_two_in_a_row_hand_off() -> None:
    assert DEFAULT.evaluate(turn("asdf qwer", intent="nlu_fallback", previous_intents=["greet"])) is None
    decision = DEFAULT.evaluate(
        turn("zxcv", intent="nlu_fallback", previous_intents=["nlu_fallback", "greet"])
    )
    assert decision is not None
    assert (decision.reason, decision.detail) == ("nlu_fallback", {"in_a_row": 2})


def test_one_nlu_fallback_hands_off_when_the_knowledge_base_had_no_answer_either() -> None:
    detail = {"query": "mi lavadora hace ruido", "kb_reason": "top score 0.31 < 0.55", "candidates": []}
    decision = DEFAULT.evaluate(turn(bot_handoff={"reason": "nlu_fallback", "detail": detail}))
    assert decision is not None
    assert (decision.reason, decision.detail["kb_reason"]) == ("nlu_fallback", "top score 0.31 < 0.55")


def test_bot_reasons_keep_their_name_and_complaints_come_first() -> None:
    reasons = {}
    for reason in ("explicit_request", "kb_no_answer", "complaint"):
        decision = DEFAULT.evaluate(turn(bot_handoff={"reason": reason, "detail": {}}))
        assert decision is not None and decision.reason == reason
        reasons[reason] = decision.priority_name
    assert reasons == {"explicit_request": "normal", "kb_no_answer": "normal", "complaint": "high"}


def test_insults_are_frustration_with_high_priority() -> None:
    decision = DEFAULT.evaluate(turn("sois unos inútiles, vaya timo"))
    assert decision is not None
    assert (decision.reason, decision.priority) == ("frustration", PRIORITIES["high"])
    assert decision.detail["signal"] == "insult"


def test_shouting_in_capitals_is_frustration() -> None:
    decision = DEFAULT.evaluate(turn("QUIERO MI PEDIDO YA"))
    assert decision is not None and decision.detail["signal"] == "all_caps"
    assert DEFAULT.evaluate(turn("OK")) is None  # a short word in capitals is not shouting


def test_no_me_sirve_across_turns_is_frustration_but_once_is_not() -> None:
    assert DEFAULT.evaluate(turn("eso no me sirve", previous_texts=["hola"])) is None
    decision = DEFAULT.evaluate(turn("NO funcionó, no funciona", previous_texts=["esto no me sirve", "hola"]))
    assert decision is not None
    assert (decision.reason, decision.detail["signal"], decision.detail["turns"]) == (
        "frustration",
        "repeated_phrase",
        2,
    )


def test_rules_from_the_config_file_hand_off_big_orders_and_raise_vip_priority(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(
        """
priorities: {explicit_request: normal}
rules:
  - name: vip
    when: {source_ids: ["whatsapp:34600111222"]}
    then: {priority: high}
  - name: big_order
    when: {amount_above: 300}
    then: {hand_off: true, priority: high, skill: orders}
"""
    )
    custom = config.load(path).policy
    assert custom.evaluate(turn("hola")) is None  # VIP alone raises priority, does not hand off
    vip = custom.evaluate(turn(bot_handoff={"reason": "explicit_request", "detail": {}}))
    assert vip is not None
    assert (vip.reason, vip.priority_name, vip.detail["rules"][0]["name"]) == (
        "explicit_request",
        "high",
        "vip",
    )
    big = custom.evaluate(turn("mi pedido de 450 € no llega", source_id="other"))
    assert big is not None
    assert (big.reason, big.priority_name, big.skill) == ("rule", "high", "orders")
    assert big.detail["rules"] == [{"name": "big_order", "amount": 450.0}]
    assert custom.evaluate(turn("mi pedido de 120 € no llega", source_id="other")) is None


def test_a_policy_path_that_is_not_a_file_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="HANDOFF_POLICY_PATH"):
        HandoffSettings(handoff_policy_path=tmp_path / "missing.yml")
