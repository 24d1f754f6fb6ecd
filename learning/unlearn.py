"""Taking removed learned examples out of what the bot knows, at once (docs/learning.md, "Undo").

An admin's removal (``DELETE /api/v1/learning/examples/{id}``) marks the example removed in the
database; then this worker, in one background thread of the hub, under the learned file's lock
(``knowledge_base.learned.learned_lock``, which learning runs hold too, so neither writes back
what the other took out): reads ``learned.jsonl``, drops the rows of every removed example (same
label, text, entry and language) and, if it dropped any, has the FAQ editor rebuild the index with
the rest (``FaqEditor.publish_learned``: built in memory, then the file and the index written). The
action server live-reloads it on the next customer question. No judging: removing is the admin's
call. Nothing to rebuild with (no FAQ editor), or a failed build (no index yet, a broken entry
file): nothing is written, and the next learning run (``python -m learning learn``) removes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hub.models import utcnow
from knowledge_base.learned import Learned, learned_file, learned_lock, load_learned
from knowledge_base.settings import KBSettings

__all__ = ["Publish", "Removed", "Status", "Unlearning"]

log = logging.getLogger(__name__)

#: rebuild the index with these learned examples and write both; returns the seconds it took
Publish = Callable[[list[Learned]], float]


@dataclass(frozen=True)
class Removed:
    """A removed example, as its row in the learned file reads."""

    signal_id: int
    text: str
    expected: str | None
    lang: str

    @classmethod
    def of(cls, row: Learned) -> Removed | None:
        q = row.query
        return cls(row.signal_id, q.text, q.expected, q.lang) if row.signal_id is not None else None


@dataclass(frozen=True)
class Status:
    """The last removal's effect on the bot: ``rebuilding`` (the index is being rebuilt without it),
    ``done`` (the bot no longer uses it), ``failed`` (the next learning run removes it)."""

    state: Literal["idle", "rebuilding", "done", "failed"] = "idle"
    dropped: int = 0  # rows the last rebuild took out of the learned file
    seconds: float | None = None
    finished_at: datetime | None = None
    error: str = ""


class Unlearning:
    def __init__(self, kb: KBSettings | None = None, publish: Publish | None = None) -> None:
        self.kb = kb
        self._publish = publish
        self._cond = threading.Condition()
        self._pending: frozenset[Removed] | None = None
        self._thread: threading.Thread | None = None
        self._status = Status()

    @property
    def immediate(self) -> bool:
        """Whether a removal reaches the bot now (else at the next learning run)."""
        return self.kb is not None and self._publish is not None

    @property
    def status(self) -> Status:
        with self._cond:
            return self._status

    def remove(self, removed: Iterable[Removed]) -> Literal["rebuilding", "next_run"]:
        """Take every removed example out of the bot in the background; ``removed``: all of them (a
        later call replaces a pending one, so many removals in a row cost one rebuild)."""
        if not self.immediate:
            return "next_run"
        with self._cond:
            self._pending = frozenset(removed)
            self._status = Status("rebuilding")
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="unlearn", daemon=True)
                self._thread.start()
        return "rebuilding"

    def still_in(self, removed: Iterable[Removed]) -> int | None:
        """How many of the removed examples the learned file (what a bot loads) still has; None: unknown
        here. Read from disk, so any hub process answers it, whichever one is rebuilding."""
        if self.kb is None:
            return None
        gone = frozenset(removed)
        return sum(Removed.of(row) in gone for row in load_learned(learned_file(self.kb)))

    def wait(self, timeout: float | None = None) -> Status:
        """Until nothing is pending or running (tests; a CLI)."""
        with self._cond:
            self._cond.wait_for(lambda: self._thread is None, timeout)
            return self._status

    def _work(self) -> None:
        while True:
            with self._cond:
                pending, self._pending = self._pending, None
                if pending is None:
                    self._thread = None
                    self._cond.notify_all()
                    return
            status = self._apply(pending)
            with self._cond:
                if self._pending is None:
                    self._status = status

    def _apply(self, removed: frozenset[Removed]) -> Status:
        assert self.kb is not None and self._publish is not None
        try:
            with learned_lock(self.kb):
                rows = load_learned(learned_file(self.kb))
                keep = [row for row in rows if Removed.of(row) not in removed]
                seconds = self._publish(keep) if len(keep) != len(rows) else 0.0
        except Exception as exc:
            log.exception("could not rebuild the FAQ index without the removed learned examples")
            return Status("failed", finished_at=utcnow(), error=f"{type(exc).__name__}: {exc}"[:300])
        log.info("learned examples removed from the bot: %d (%.1f s)", len(rows) - len(keep), seconds)
        return Status("done", len(rows) - len(keep), round(seconds, 1), utcnow())
