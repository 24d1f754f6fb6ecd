"""Learned examples: labelled queries a learning run kept, stored next to the index.

``<KB_INDEX_DIR>/learned.jsonl``, one ``{"text", "expected": id | null, "lang", "signal_id"?}`` a
line (the eval JSONL contract plus where the label came from). Every build of the index
(``build_index``: ``make run``, the FAQ editor, a live reload) adds them to the FAQ's own labelled
queries, so a published edit never drops what the bot learned. Only ``python -m knowledge_base
learn`` (or the hub's ``python -m learning learn``) and an admin's undo write this file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.settings import KBSettings

__all__ = ["LEARNED_FILE", "Learned", "learned_file", "learned_lock", "learned_sha256", "learned_text",
           "load_learned", "save_learned"]

log = logging.getLogger(__name__)

LEARNED_FILE = "learned.jsonl"
LOCK_FILE = "learned.lock"


@dataclass(frozen=True)
class Learned:
    """One labelled query learned as an example (``signal_id``: the label it came from)."""

    query: LabelledQuery
    signal_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        row: dict[str, object] = {"text": self.query.text, "expected": self.query.expected,
                                  "lang": self.query.lang}
        if self.signal_id is not None:
            row["signal_id"] = self.signal_id
        return row


def learned_file(settings: KBSettings) -> Path:
    return settings.index_dir / LEARNED_FILE


@contextmanager
def learned_lock(settings: KBSettings) -> Iterator[None]:
    """Hold the learned file for a read-change-write (a learning run; an admin's undo in the hub):
    one at a time across processes on this machine (``flock`` on ``learned.lock`` next to it), so
    neither writes back what the other took out. Not re-entrant: take it once per thread."""
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_learned(path: Path, known_ids: Iterable[str] | None = None) -> list[Learned]:
    """The learned examples; an example whose entry was since deleted is skipped (logged), a
    broken line too: a learned file never stops the bot from starting."""
    if not path.is_file():
        return []
    known = set(known_ids) if known_ids is not None else None
    out: list[Learned] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, expected, lang = row["text"], row.get("expected"), str(row.get("lang") or "es")
            signal_id = row.get("signal_id")
        except (json.JSONDecodeError, KeyError, TypeError):
            log.warning("%s:%d: not a learned example, skipped", path, n)
            continue
        if not isinstance(text, str) or not text.strip():
            continue
        if known is not None and expected is not None and expected not in known:
            log.info("%s:%d: entry %r no longer exists, example skipped", path, n, expected)
            continue
        out.append(Learned(LabelledQuery(text, expected, lang),
                           signal_id if isinstance(signal_id, int) else None))
    return out


def save_learned(path: Path, examples: Sequence[Learned]) -> None:
    """Replace the file atomically (no file when there is nothing learned)."""
    if not examples:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(learned_text(examples), encoding="utf-8")
    tmp.replace(path)


def learned_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def learned_text(examples: Sequence[Learned]) -> str:
    """The file's content for ``examples`` (what ``learned_sha256`` hashes once saved)."""
    return "".join(json.dumps(e.as_dict(), ensure_ascii=False) + "\n" for e in examples)
