"""Labelled queries (JSONL ``{"text", "expected": id | null, "lang"}``) for calibration and eval."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.entry_files import Problem

__all__ = ["LabelledQuery", "load_queries"]


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    expected: str | None  # None: out of scope, the right move is a handoff
    lang: str


def load_queries(path: Path, known_ids: set[str] | None = None) -> list[LabelledQuery]:
    """Read a JSONL file; every bad line is reported together in one ``ValueError``."""
    problems: list[Problem] = []
    queries: list[LabelledQuery] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), n, f"invalid JSON: {exc.msg}"))
            continue
        text, expected, lang = row.get("text"), row.get("expected"), row.get("lang")
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(str(path), n, "missing or empty 'text'"))
        elif expected is not None and not isinstance(expected, str):
            problems.append(Problem(str(path), n, "'expected' must be an entry id or null"))
        elif known_ids is not None and expected is not None and expected not in known_ids:
            problems.append(Problem(str(path), n, f"'expected' {expected!r} is not in the KB"))
        else:
            queries.append(LabelledQuery(text, expected, str(lang or "es")))
    if problems:
        listing = "\n".join(f"  {p}" for p in problems)
        raise ValueError(f"{len(problems)} problem(s) in {path}:\n{listing}")
    return queries
