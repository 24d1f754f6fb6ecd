"""`python -m ops.kb_index`: make the FAQ index current before `make run` starts the action server.

It opens the knowledge base the way the action server does: an index on disk that matches the
KB files, the model, the text recipe and the labelled queries is loaded as it is (nothing is
embedded or calibrated again); a missing or stale one is built, reusing the vectors of unchanged
texts. `python -m knowledge_base build` (`make kb`) does the same; `--force` rebuilds anyway.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge_base import KBSettings, KBValidationError, KnowledgeBase
from knowledge_base.embedder import Embedder

__all__ = ["IndexState", "ensure_index", "main"]

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class IndexState:
    rebuilt: bool
    seconds: float
    index_dir: Path
    n_entries: int
    built_at: str


def ensure_index(settings: KBSettings | None = None, embedder: Embedder | None = None) -> IndexState:
    """Load the index if it is fresh, else build it; say which happened."""
    settings = settings or KBSettings()
    started = time.perf_counter()
    before = _manifest_stamp(settings.index_dir)
    kb = KnowledgeBase.open(settings, embedder)
    manifest = kb.index.manifest
    return IndexState(
        rebuilt=before is None or before != _manifest_stamp(settings.index_dir),
        seconds=time.perf_counter() - started,
        index_dir=settings.index_dir,
        n_entries=manifest.n_entries,
        built_at=manifest.built_at,
    )


def _manifest_stamp(index_dir: Path) -> tuple[int, int] | None:
    try:
        st = (index_dir / MANIFEST).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def main() -> int:
    try:
        state = ensure_index()
    except (KBValidationError, ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    what = "built" if state.rebuilt else f"up to date (built {state.built_at}), loaded"
    print(f"  FAQ index {what} in {state.seconds:.1f} s: {state.n_entries} entries in "
          f"{state.index_dir}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
