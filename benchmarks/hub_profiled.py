"""``python -m benchmarks.hub_profiled OUT``: the hub (``python -m hub``) under cProfile; stats to OUT on SIGTERM.

uvicorn re-raises SIGTERM after its graceful shutdown, which would kill the process before
``python -m cProfile`` writes anything; the handler installed here runs instead and dumps.
"""

from __future__ import annotations

import cProfile
import signal
import sys
from types import FrameType

from hub.__main__ import main as hub_main

__all__ = ["main"]


def main() -> None:
    out = sys.argv[1]
    profiler = cProfile.Profile()

    def dump(_signum: int, _frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(out)
        sys.exit(0)

    signal.signal(signal.SIGTERM, dump)
    profiler.enable()
    try:
        hub_main()
    finally:
        profiler.disable()
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
