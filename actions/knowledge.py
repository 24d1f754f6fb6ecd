"""The action server's one knowledge base: opened lazily on first use, reloaded when files change."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge_base import Decision, KnowledgeBase

__all__ = ["candidates_of", "get_kb", "kb_payload", "use_kb", "warm_up_in_background"]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_kb: KnowledgeBase | None = None


def use_kb(kb: KnowledgeBase | None) -> None:
    """Replace the process's knowledge base (tests); ``None`` reopens it on next use."""
    global _kb
    with _lock:
        _kb = kb


def get_kb() -> KnowledgeBase:
    """The knowledge base, opened once per process and live-reloaded if its files changed."""
    global _kb
    with _lock:
        if _kb is None:
            from knowledge_base import KBSettings, KnowledgeBase

            log.info("opening the knowledge base")
            _kb = KnowledgeBase.open(KBSettings())
        kb = _kb
    kb.reload_if_changed()
    return kb


def warm_up_in_background() -> threading.Thread:
    """Open the knowledge base in a daemon thread so the first customer question does not wait."""

    def warm() -> None:
        try:
            get_kb()
            log.info("knowledge base ready")
        except Exception:  # the request path reports it again, with a handoff
            log.exception("knowledge base failed to open; FAQ questions will be handed off")

    thread = threading.Thread(target=warm, name="kb-warm-up", daemon=True)
    thread.start()
    return thread


def candidates_of(decision: Decision) -> list[dict[str, Any]]:
    """The decision's candidates as agents see them: id, score, question, and the answer and its language
    (the console's "Insertar" puts it in the reply box)."""
    return [
        {"id": c.entry_id, "score": round(float(c.score), 4), "question": c.question, "answer": c.answer,
         "lang": c.lang}
        for c in decision.candidates
    ]


def kb_payload(
    decision: str, reason: str, candidates: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The ``{"kb": ...}`` custom payload stored on the turn as context for agents."""
    return {"kb": {"decision": decision, "reason": reason, "candidates": candidates or []}}
