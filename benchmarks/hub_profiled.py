"""``python -m benchmarks.hub_profiled OUT.prof``: the hub (``python -m hub``) under cProfile.

Stats go to OUT.prof (``python -m pstats``) and a summary to OUT.prof.txt when the hub stops.
uvicorn re-raises SIGTERM after its graceful shutdown, which would kill the process before
``python -m cProfile`` writes anything; the handler installed here runs instead.
Reading it: coroutines count one call per resumption, and SQLAlchemy's greenlet switches add
waiting to the function that switched (``do_commit``, ``put_nowait``): rank by ``tottime`` of
plain functions, and count statements per message from ``_execute_clauseelement``'s calls.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import signal
import sys
from pathlib import Path

from hub.__main__ import main as hub_main

__all__ = ["main"]


def _write(profiler: cProfile.Profile, out: Path) -> None:
    profiler.disable()
    profiler.dump_stats(out)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(60)
    stats.sort_stats("cumulative").print_stats(r"/(hub|handoff)/", 60)
    out.with_suffix(out.suffix + ".txt").write_text(text.getvalue())


def main() -> None:
    out = Path(sys.argv[1])
    profiler = cProfile.Profile()

    def dump(*_args: object) -> None:
        _write(profiler, out)
        sys.exit(0)

    signal.signal(signal.SIGTERM, dump)
    profiler.enable()
    try:
        hub_main()
    finally:
        _write(profiler, out)


if __name__ == "__main__":
    main()
