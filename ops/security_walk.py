"""Issue 15's reproductions, replayed as an attacker would against a running `make run` stack.

    python -m ops.security_walk --hub http://127.0.0.1:8000 --data-dir var --hub-pid PID \\
        --whatsapp-secret S --phone-number-id P --rasa http://127.0.0.1:5005 --action-port 5055 \\
        [--graph-log LOG]

(WhatsApp on, e.g. pointed at `python -m tests.fakes.graph_api`; PID is the hub's, for its RSS.) Prints
one Markdown table: finding, what was sent, what came back, and whether anything was stored, read
afterwards from the hub's SQLite database and Rasa's tracker store (read-only) or through the API as a
supervisor; then a last row with every 5xx and ERROR the hub logged meanwhile. The agents and the API
key it uses are made with the operators' CLIs (`python -m handoff add-agent`, `python -m hub.api_keys
create`) against DATA_DIR. Rows that did not hold say **NOT HELD**. The findings live in
ops/security_walk_customers.py, _input.py, _privacy.py and _staff.py; the tools in _harness.py.
"""

from __future__ import annotations

import argparse
import asyncio

from ops.security_walk_customers import (
    finding_1,
    finding_2,
    finding_8,
    finding_12,
    finding_14,
)
from ops.security_walk_harness import Walk
from ops.security_walk_input import finding_3, finding_4, finding_5
from ops.security_walk_privacy import finding_9
from ops.security_walk_staff import (
    finding_6,
    finding_7,
    finding_10,
    finding_11,
    finding_13,
    finding_15,
    server_errors,
)

__all__ = ["main", "table", "walk"]


async def walk(args: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    w = Walk(args)
    await w.setup()
    await finding_1(w)
    ids = await finding_2(w)
    await finding_3(w)
    await finding_4(w, ids)
    await finding_5(w)
    await finding_6(w)
    await finding_7(w)
    await finding_8(w)
    await finding_10(w)
    await finding_11(w)
    await finding_12(w)
    await finding_13(w, ids)
    await finding_14(w, ids)
    await finding_15(w, ids)
    await finding_9(w)  # last: the log check covers everything sent before
    server_errors(w)
    await w.http.aclose()
    return w.rows


def table(rows: list[tuple[str, str, str, str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| finding | sent | came back | stored? |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(cell(c) for c in row)} |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--hub", default="http://127.0.0.1:8000")
    parser.add_argument("--data-dir", default="var", help="the stack's DATA_DIR (hub.db, logs/)")
    parser.add_argument("--hub-pid", type=int, required=True, help="the hub process, for its RSS")
    parser.add_argument("--whatsapp-secret", required=True, help="the stack's WHATSAPP_APP_SECRET")
    parser.add_argument("--phone-number-id", required=True, help="the stack's WHATSAPP_PHONE_NUMBER_ID")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--graph-log", help="output of `python -m tests.fakes.graph_api` the hub sends to")
    args = parser.parse_args()
    rows = asyncio.run(walk(args))
    print(table(rows))
    held = sum(1 for r in rows if "**NOT HELD**" not in r[2])
    print(f"\n{held} of {len(rows)} rows held.")


if __name__ == "__main__":
    main()
