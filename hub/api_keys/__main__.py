"""``python -m hub.api_keys create --name NAME [--scope S ...] | list | revoke ID``.

Works on the database of the environment (DATABASE_URL, or DATA_DIR/hub.db), migrated first. A new
key is printed once, alone on the last line; nothing can show it again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime

from hub import api_keys
from hub.api_keys.store import DEFAULT_SCOPES
from hub.db import create_engine, migrate, session_factory
from hub.models import ApiKey
from hub.settings import Settings

__all__ = ["main"]


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _describe(row: ApiKey) -> str:
    state = f"revoked {_when(row.revoked_at)}" if row.revoked_at else "active"
    return (
        f"{row.id:>4}  {row.name:<24}  {row.prefix}...  {row.scopes:<36}  created {_when(row.created_at)}"
        f"  last used {_when(row.last_used_at)}  {state}"
    )


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            if args.command == "create":
                row, key = await api_keys.create(session, name=args.name, scopes=args.scope or DEFAULT_SCOPES)
                print(f"Created API key {row.id} {row.name!r} (scopes: {row.scopes}).")
                print("Store it now: it is shown only this once. Send it as 'Authorization: Bearer <key>'.")
                print(key)
            elif args.command == "list":
                rows = await api_keys.list_keys(session)
                print("\n".join(_describe(r) for r in rows) if rows else "No API keys yet.")
            else:
                revoked = await api_keys.revoke(session, key_id=args.id)
                if revoked is None:
                    print(f"No API key has id {args.id}; see `python -m hub.api_keys list`.", file=sys.stderr)
                    return 2
                print(f"Revoked API key {revoked.id} {revoked.name!r}: it no longer authenticates.")
    finally:
        await engine.dispose()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.api_keys", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="make a key and print it once")
    create.add_argument("--name", required=True, help="who or what uses it, e.g. 'shop integration'")
    create.add_argument(
        "--scope",
        action="append",
        choices=sorted(api_keys.SCOPES),
        help=f"repeat for several (default: {' '.join(DEFAULT_SCOPES)})",
    )
    commands.add_parser("list", help="every key: id, name, prefix, scopes, dates (never the key)")
    revoke = commands.add_parser("revoke", help="stop a key from authenticating")
    revoke.add_argument("id", type=int)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_run(args, Settings()))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
