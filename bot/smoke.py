"""Talk to a running Rasa server through the REST channel, as the hub does, and check the replies.

    .venv/bin/python bot/smoke.py --rasa http://127.0.0.1:5005       # exit 1 on any failed check

Each conversation is one sender id; ``metadata.language`` is sent with every message.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["CHECKS", "Check", "main", "send"]


@dataclass(frozen=True)
class Check:
    lang: str
    text: str
    handoff: str | None = None  # expected handoff reason; None = must not hand off
    contains: str = ""  # expected (case-insensitive) in the reply text
    kb: bool = False  # a {"kb": ...} context payload is expected


CHECKS = [
    Check("es", "hola", contains="hola"),
    Check("es", "cuanto tarda el envio?", kb=True),
    Check("es", "dnd esta mi pedido AB-12345", contains="AB-12345"),
    Check("es", "quiero hablar con una persona", handoff="explicit_request"),
    Check("es", "asdfgh", handoff="nlu_fallback"),
    Check("en", "hi", contains="hi"),
    Check("en", "where is my order AB-12345", contains="on its way"),
    Check("en", "talk to a human", handoff="explicit_request"),
]


def send(rasa: str, sender: str, text: str, lang: str) -> list[dict[str, Any]]:
    body = {"sender": sender, "message": text, "metadata": {"language": lang, "channel": "api"}}
    response = httpx.post(f"{rasa}/webhooks/rest/webhook", json=body, timeout=300)
    response.raise_for_status()
    return list(response.json())


def _verdict(check: Check, replies: list[dict[str, Any]]) -> list[str]:
    texts = " ".join(r.get("text") or "" for r in replies)
    customs = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
    handoffs = [c["handoff"]["reason"] for c in customs if "handoff" in c]
    problems = []
    if not texts:
        problems.append("no text reply")
    if check.handoff is None and handoffs:
        problems.append(f"unexpected handoff {handoffs}")
    if check.handoff is not None and handoffs != [check.handoff]:
        problems.append(f"expected handoff {check.handoff!r}, got {handoffs}")
    if check.contains and check.contains.lower() not in texts.lower():
        problems.append(f"reply lacks {check.contains!r}")
    if check.kb and not any("kb" in c for c in customs):
        problems.append("no kb context payload")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    failures = 0
    for lang in ("es", "en"):
        sender = f"smoke-{lang}-{uuid.uuid4().hex[:8]}"
        for check in (c for c in CHECKS if c.lang == lang):
            replies = send(args.rasa, sender, check.text, lang)
            problems = _verdict(check, replies)
            failures += bool(problems)
            print(f"[{lang}] > {check.text}")
            for reply in replies:
                shown = {k: v for k, v in reply.items() if k != "recipient_id"}
                print("    < " + json.dumps(shown, ensure_ascii=False))
            print("    " + ("FAIL: " + "; ".join(problems) if problems else "ok"))
    print(f"{len(CHECKS) - failures}/{len(CHECKS)} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
