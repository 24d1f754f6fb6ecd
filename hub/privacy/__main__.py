"""``python -m hub.privacy export --contact ID [--out FILE]`` | ``erase --contact ID`` | ``sweep``.

The operator's door to a contact's personal data (supervisors have the agent API). Works on the
environment's database (DATABASE_URL, or DATA_DIR/hub.db), migrated first; reads Rasa's trackers from
RASA_URL (with RASA_TOKEN) and erases them from RASA_TRACKER_STORE_URL. An export file is written with
mode 0600: it holds the customer's unmasked data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from hub.db import migrate
from hub.errors import HubError
from hub.privacy import erase_contact, export_contact, retention
from hub.services import Services
from hub.settings import Settings

__all__ = ["main"]


def _write(document: str, out: str | None) -> None:
    if out is None or out == "-":
        print(document)
        return
    path = Path(out)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(document + "\n")
    print(f"exported to {path}", file=sys.stderr)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    services = Services.build(settings)
    try:
        await migrate(services.engine)
        if args.command == "export":
            document = await export_contact(
                sessions=services.sessions, http=services.http, settings=settings, contact_id=args.contact
            )
            _write(json.dumps(document, ensure_ascii=False, indent=2), args.out)
        elif args.command == "erase":
            erasure = await erase_contact(
                sessions=services.sessions, settings=settings, contact_id=args.contact, requested_by="cli"
            )
            print(f"contact {args.contact} erased (erasure {erasure.id}): {json.dumps(erasure.counts)}")
        else:
            erased = await retention.sweep(sessions=services.sessions, settings=settings)
            print(f"retention ({settings.retention_days} days): {erased} conversation(s) erased")
        return 0
    except HubError as exc:  # not found, already erased, Rasa's store unreachable (nothing erased)
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        await services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.privacy", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="everything held about a contact, as JSON")
    export.add_argument("--contact", type=int, required=True, help="the contact's id")
    export.add_argument("--out", help="file to write (mode 0600); default: standard output")
    erase = commands.add_parser("erase", help="delete a contact's data; an anonymous record stays")
    erase.add_argument("--contact", type=int, required=True, help="the contact's id")
    commands.add_parser("sweep", help="erase what is older than RETENTION_DAYS now")
    args = parser.parse_args(argv)
    return asyncio.run(_run(args, Settings()))


if __name__ == "__main__":
    raise SystemExit(main())
