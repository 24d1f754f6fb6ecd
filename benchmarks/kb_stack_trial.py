"""A new business's first day, through the whole stack: its FAQ (any format, e.g. a spreadsheet)
set with ``KB_PATH`` alone, ``make run``, and its customers' questions sent through the hub as
new customers; what each one got back is counted as a customer would see it.

    KB_PATH=faq.xlsx make run                       # in one terminal
    python -m benchmarks.kb_stack_trial --faq faq.xlsx --queries test.jsonl

An answer names the question it answers ("Sobre «…»: …" / 'About "…": …'), which is how it is
matched to an entry; a reply with options is a clarification; a conversation with a handoff went
to a person; anything else (a greeting, an order lookup) is "other".
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from knowledge_base.catalog import Catalog
from ops.hub_client import HubClient


async def _one(hub: str, i: int, row: dict[str, object], questions: dict[str, str]) -> str:
    client = HubClient(hub, source_id=f"trial-{i}")
    try:
        sent = await client.send(str(row["text"]), language=str(row.get("lang") or "es"))
        answer = await client.wait_answer(sent, timeout_s=90)
        conversation = await client.conversation(sent.conversation_id)
    finally:
        await client.aclose()
    expected = row.get("expected")
    if conversation.get("handoff") or conversation.get("status") == "open":
        return "handoff"
    if any(r.get("buttons") for r in answer.replies):
        return "clarify"
    text = answer.text
    for question, entry_id in questions.items():
        if f"«{question}»" in text or f'"{question}"' in text:
            return "right" if entry_id == expected else "wrong"
    return "other"


async def _run(hub: str, queries: list[dict[str, object]], questions: dict[str, str],
               parallel: int) -> list[str]:
    gate = asyncio.Semaphore(parallel)

    async def guarded(i: int, row: dict[str, object]) -> str:
        async with gate:
            return await _one(hub, i, row, questions)

    return list(await asyncio.gather(*(guarded(i, r) for i, r in enumerate(queries))))


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--faq", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True)
    ap.add_argument("--hub", default="http://127.0.0.1:8000")
    ap.add_argument("--parallel", type=int, default=4)
    args = ap.parse_args(argv)
    catalog = Catalog.load(args.faq)
    questions = {e.question: e.id for e in catalog.entries}
    queries = [json.loads(line) for line in args.queries.read_text().splitlines() if line.strip()]
    outcomes = asyncio.run(_run(args.hub, queries, questions, args.parallel))
    groups: dict[str, Counter[str]] = {}
    for row, outcome in zip(queries, outcomes, strict=True):
        kind = "out of scope" if row.get("expected") is None else (
            "English" if row.get("lang") == "en" else "informal Spanish")
        groups.setdefault(kind, Counter())[outcome] += 1
    cols = ("right", "wrong", "clarify", "handoff", "other")
    print(f"### {args.faq.name}: {len(queries)} queries through the hub, Rasa and the actions\n")
    print("| queries | n | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for kind, counts in groups.items():
        n = sum(counts.values())
        print(f"| {kind} | {n} | " + " | ".join(f"{counts[c] / n:.3f}" for c in cols) + " |")


if __name__ == "__main__":
    main()
