"""``python -m learning export|learn|runs``. ``export --out FILE [--weakest confirmed|explicit|implicit]``:
the stored signals as labelled queries (JSONL ``{"text", "expected", "lang"}``) for
``python -m knowledge_base eval --queries FILE`` (or ``calibrate --queries FILE``). ``learn``: a learning
run (docs/learning.md, "Learning runs"). ``runs``: the latest runs."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

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


def _learn(trigger: str, as_json: bool) -> int:
    from knowledge_base.cli import format_run
    from learning.learn_job import learn

    row = learn(Settings().db_url, trigger)
    print(json.dumps(row, indent=2, ensure_ascii=False) if as_json else
          f"run {row['id']} ({row['outcome']}): " + format_run(row))
    return 0


async def _runs(url: str, limit: int) -> list[dict[str, Any]]:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from learning.learn_job import record
    from learning.run_models import LearningRun

    engine = create_engine(url)
    try:
        await migrate(engine)
        async with async_sessionmaker(engine)() as session:
            rows = (await session.execute(
                sa.select(LearningRun).order_by(LearningRun.id.desc()).limit(limit))).scalars().all()
            return [record(r) for r in rows]
    finally:
        await engine.dispose()


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
    learn = commands.add_parser("learn", help="a learning run: the pending agents' labels become examples "
                                "if held-out quality is not worse (docs/learning.md)")
    learn.add_argument("--trigger", default="cli", help="who or what started it, recorded (e.g. cron)")
    learn.add_argument("--json", action="store_true", help="print the run as JSON")
    shown = commands.add_parser("runs", help="print the latest learning runs")
    shown.add_argument("--limit", type=int, default=10)
    args = parser.parse_args(argv)
    if args.command == "learn":
        return _learn(args.trigger, args.json)
    if args.command == "runs":
        for row in asyncio.run(_runs(Settings().db_url, args.limit)):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    count = asyncio.run(_export(Settings().db_url, args.out, Strength(args.weakest)))
    print(f"{count} labelled queries -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
