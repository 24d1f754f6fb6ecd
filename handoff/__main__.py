"""``python -m handoff add-agent --email ... --name ... --languages es,en --skills orders``
``[--role supervisor|admin]``;
``reset-password --email ...`` (unlocks the login, ends its sessions); ``disable-agent --email ...``,
``enable-agent --email ...`` and ``set-role --email ... --role agent|supervisor|admin``. Once there is
an admin, the rest can be done in the console (docs/roles.md).

The password comes from AGENT_PASSWORD or is asked for (twice, not echoed). The database is
the hub's (DATABASE_URL / DATA_DIR), migrated first.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from sqlalchemy.exc import IntegrityError

from handoff import agents
from handoff.models import AGENT_ROLES
from hub.db import create_engine, migrate, session_factory
from hub.settings import Settings

__all__ = ["main"]


def _password() -> str:
    from_env = os.environ.get("AGENT_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise SystemExit("error: the passwords differ; nothing was created")
    return first


async def _add_agent(args: argparse.Namespace, password: str, settings: Settings) -> int:
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            agent = await agents.create(
                session,
                email=args.email,
                name=args.name,
                password=password,
                languages=agents.parse_list(args.languages),
                skills=agents.parse_list(args.skills),
                max_concurrent=args.max_concurrent,
                role=args.role,
            )
        print(f"{agent.role} {agent.id} created: {agent.email} ({', '.join(agent.languages)})")
        return 0
    except IntegrityError:
        print(f"error: an agent with email {args.email} already exists", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()


async def _change_agent(
    command: str, email: str, password: str | None, settings: Settings, role: str | None = None
) -> int:
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            agent = await agents.get_by_email(session, email=email)
            if agent is None:
                print(f"error: no agent with email {email}", file=sys.stderr)
                return 1
            if command == "set-role" and role is not None:
                agent.role = role
                print(f"agent {agent.id} is now {role}")
            elif command == "reset-password" and password is not None:
                await agents.set_password(session, agent=agent, password=password)
                print(f"agent {agent.id}: new password set, login unlocked, sessions ended")
            else:
                await agents.set_disabled(session, agent=agent, disabled=command == "disable-agent")
                state = "disabled (sessions ended)" if agent.disabled_at else "enabled"
                print(f"agent {agent.id} {state}")
        return 0
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-agent", help="create an agent account")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--languages", default="es", help="comma-separated, e.g. es,en (default es)")
    add.add_argument("--skills", default="", help="comma-separated, e.g. orders,billing")
    add.add_argument("--max-concurrent", type=int, default=3, help="conversations at once (default 3)")
    add.add_argument("--role", choices=AGENT_ROLES, default="agent",
                     help="agent (default): conversations assigned to them or waiting for them; "
                          "supervisor: any conversation, reassign, export and erase of a contact's data; "
                          "admin: a supervisor who also manages the agents in the console")
    for name, what in (("reset-password", "set a new password (asked, or AGENT_PASSWORD)"),
                       ("disable-agent", "no more logins; open sessions end"),
                       ("enable-agent", "allow logins again")):
        command = commands.add_parser(name, help=what)
        command.add_argument("--email", required=True)
    set_role = commands.add_parser("set-role", help="make an agent a supervisor or an admin, or back")
    set_role.add_argument("--email", required=True)
    set_role.add_argument("--role", choices=AGENT_ROLES, required=True)
    args = parser.parse_args(argv)
    if args.command == "set-role":
        return asyncio.run(_change_agent(args.command, args.email, None, Settings(), role=args.role))
    if args.command in ("disable-agent", "enable-agent"):
        return asyncio.run(_change_agent(args.command, args.email, None, Settings()))
    password = _password()
    if len(password) < 8:
        print("error: the password needs at least 8 characters", file=sys.stderr)
        return 2
    if args.command == "reset-password":
        return asyncio.run(_change_agent(args.command, args.email, password, Settings()))
    return asyncio.run(_add_agent(args, password, Settings()))


if __name__ == "__main__":
    raise SystemExit(main())
