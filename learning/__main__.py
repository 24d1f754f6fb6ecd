"""``python -m learning export --out FILE [--weakest confirmed|explicit|implicit]``: the stored signals as
labelled queries (JSONL ``{"text", "expected", "lang"}``) for ``python -m knowledge_base eval --queries FILE``
(or ``calibrate --queries FILE``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from hub.db import create_engine, migrate
from hub.settings import Settings
from learning import export
from learning.models import Strength


async def _export(url: str, out: Path, weakest: Strength) -> int:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    engine = create_engine(url)
    try:
        await migrate(engine)  # as every process does at start (a database from before 0019)
        async with async_sessionmaker(engine)() as session:
            lines = export.labelled_queries(await export.signals(session, weakest=weakest))
    finally:
        await engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(export.to_jsonl(lines), encoding="utf-8")
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m learning", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("export", help="write the labelled queries as JSONL")
    run.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    run.add_argument(
        "--weakest",
        choices=[s.value for s in Strength],
        default=Strength.CONFIRMED.value,
        help="weakest evidence included: confirmed (agents' labels, default), explicit (+ customers' "
        "feedback), implicit (+ clarify picks)",
    )
    args = parser.parse_args(argv)
    count = asyncio.run(_export(Settings().db_url, args.out, Strength(args.weakest)))
    print(f"{count} labelled queries -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
