"""When a conversation goes to humans, why, and how urgently: one decision per customer turn.

``Policy.evaluate(turn) -> Decision | None``. Triggers, in order: the bot's own handoff payload
(``explicit_request``, ``complaint``, ``kb_no_answer``, ``nlu_fallback`` when the knowledge base had
no confident answer either); Rasa's ``nlu_fallback`` N turns in a row; frustration seen in the
customer's text (insults, the same "no me sirve"/"no funciona" across turns, ALL CAPS); and the
configurable ``rules`` of ``handoff/policy.yml`` (VIP contacts, big orders...), which can also raise
the priority of any handoff. Every decision carries its reason and the evidence in ``detail``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.seams import PRIORITIES, Decision

__all__ = ["DEFAULT_POLICY_PATH", "PRIORITIES", "Decision", "Policy", "Turn"]

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent / "policy.yml"

_AMOUNT = re.compile(
    r"(?:(?:€|\$|eur|usd)\s*(\d+(?:[.,]\d+)?))|(?:(\d+(?:[.,]\d+)?)\s*(?:€|\$|eur\b|euros?\b|usd\b|d[oó]lares\b))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Turn:
    """What the policy sees of one customer turn (built by handoff/turns.py)."""

    conversation_id: int
    contact_id: int
    channel: str
    source_id: str
    language: str
    text: str
    bot_handoff: dict[str, Any] | None = None  # the action server's {"reason", "detail"}
    intent: str | None = None  # Rasa's intent of this turn, when known
    entities: list[dict[str, Any]] = field(default_factory=list)
    previous_intents: list[str | None] = field(default_factory=list)  # earlier turns, newest first
    previous_texts: list[str] = field(default_factory=list)  # earlier customer texts, newest first


def _fold(text: str) -> str:
    """Lower-case without accents: "NO FUNCIONÓ" -> "no funciono"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(_fold(phrase))}(?!\w)", text) is not None


def _any_of(phrases: list[str] | None) -> re.Pattern[str] | None:
    """One pattern that finds any of ``phrases`` as ``_has`` does: most turns match none, and one search
    costs less than a search per phrase."""
    folded = sorted({_fold(p) for p in phrases or [] if p}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, folded))})(?!\w)") if folded else None


def amounts(text: str, entities: list[dict[str, Any]] | None = None) -> list[float]:
    """Money amounts mentioned: "350 €", "$99.5", "120 euros", or an ``amount`` entity."""
    found: list[float] = []
    for match in _AMOUNT.finditer(text):
        raw = (match.group(1) or match.group(2)).replace(",", ".")
        found.append(float(raw))
    for entity in entities or []:
        if entity.get("entity") in ("amount", "order_amount"):
            try:
                found.append(float(str(entity.get("value")).replace(",", ".")))
            except ValueError:
                continue
    return found


@dataclass(frozen=True)
class Policy:
    """The parsed ``policy.yml``."""

    config: dict[str, Any]

    def _priority(self, name: str | None) -> int:
        return PRIORITIES.get(str(name or "normal").lower(), 1)

    def priority_for(self, reason: str) -> int:
        priorities = self.config.get("priorities") or {}
        return self._priority(priorities.get(reason, priorities.get("default", "normal")))

    @functools.cached_property
    def _frustration_patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        cfg = self.config.get("frustration") or {}
        return _any_of(cfg.get("insults")), _any_of(cfg.get("repeated_phrases"))

    def frustration(self, turn: Turn) -> dict[str, Any] | None:
        """Evidence that the customer is frustrated, or None."""
        cfg = self.config.get("frustration") or {}
        any_insult, any_phrase = self._frustration_patterns
        text = _fold(turn.text)
        if any_insult is not None and any_insult.search(text):
            return {"signal": "insult", "words": [w for w in cfg.get("insults") or [] if _has(text, w)]}
        letters = [c for c in turn.text if c.isalpha()]
        if len(letters) >= int(cfg.get("all_caps_min_letters", 8)) and all(c.isupper() for c in letters):
            return {"signal": "all_caps", "text": turn.text}
        if any_phrase is None or not any_phrase.search(text):
            return None
        phrases = [p for p in cfg.get("repeated_phrases") or [] if _has(text, p)]
        if phrases:
            needed = int(cfg.get("repeated_phrase_turns", 2))
            earlier = [
                t for t in turn.previous_texts if any(_has(_fold(t), p) for p in cfg["repeated_phrases"])
            ]
            if 1 + len(earlier) >= needed:
                return {"signal": "repeated_phrase", "phrases": phrases, "turns": 1 + len(earlier)}
        return None

    def _matches(self, when: dict[str, Any], turn: Turn) -> dict[str, Any] | None:
        evidence: dict[str, Any] = {}
        if "contact_ids" in when:
            if turn.contact_id not in (when["contact_ids"] or []):
                return None
            evidence["contact_id"] = turn.contact_id
        if "source_ids" in when:
            identity = f"{turn.channel}:{turn.source_id}"
            if identity not in (when["source_ids"] or []):
                return None
            evidence["source_id"] = identity
        if "intents" in when:
            if turn.intent not in (when["intents"] or []):
                return None
            evidence["intent"] = turn.intent
        if "amount_above" in when:
            over = [a for a in amounts(turn.text, turn.entities) if a > float(when["amount_above"])]
            if not over:
                return None
            evidence["amount"] = max(over)
        return evidence if evidence else None

    def _rules(self, turn: Turn) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(rule, evidence) for every rule that holds on this turn."""
        held = []
        for rule in self.config.get("rules") or []:
            evidence = self._matches(rule.get("when") or {}, turn)
            if evidence is not None:
                held.append((rule, evidence))
        return held

    def _trigger(self, turn: Turn) -> Decision | None:
        if turn.bot_handoff is not None:
            reason = str(turn.bot_handoff.get("reason") or "explicit_request")
            detail = turn.bot_handoff.get("detail")
            # The action server's detail is kept as is (query, KB reason, candidates, ranking).
            return Decision(
                reason, self.priority_for(reason), dict(detail) if isinstance(detail, dict) else {}
            )
        needed = int((self.config.get("nlu_fallback") or {}).get("in_a_row", 2))
        if turn.intent == "nlu_fallback":
            streak = 1
            for intent in turn.previous_intents:
                if intent != "nlu_fallback":
                    break
                streak += 1
            if streak >= needed:
                return Decision("nlu_fallback", self.priority_for("nlu_fallback"), {"in_a_row": streak})
        frustrated = self.frustration(turn)
        if frustrated is not None:
            return Decision("frustration", self.priority_for("frustration"), frustrated)
        return None

    def evaluate(self, turn: Turn) -> Decision | None:
        """Hand off this turn? The decision, with reason, priority and evidence; None to stay with the bot."""
        decision = self._trigger(turn)
        held = self._rules(turn)
        for rule, evidence in held:
            then = rule.get("then") or {}
            if decision is None and then.get("hand_off"):
                decision = Decision("rule", self._priority(then.get("priority")), {})
            if decision is None:
                continue
            rules = [*decision.detail.get("rules", []), {"name": rule.get("name"), **evidence}]
            decision = Decision(
                decision.reason,
                max(decision.priority, self._priority(then.get("priority", "low"))),
                {**decision.detail, "rules": rules},
                decision.skill or then.get("skill"),
            )
        return decision
