"""The fault suite's results: a table, one row per case, and the page docs/benchmarks/faults.md."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from tests.faults.verdict import Verdict

__all__ = ["NOTES", "VERDICTS", "page", "table"]

#: case -> its verdict, filled by the tests in the order they ran.
VERDICTS: dict[str, Verdict] = {}


def table(verdicts: list[Verdict], *, handoff_after_s: float, slack_s: float) -> str:
    load = os.getloadavg()
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end (1 / 5 / 15 min).",
        "",
        f"BOT_HANDOFF_AFTER = {handoff_after_s:.0f} s, stated slack {slack_s:.0f} s: every message must be "
        f"answered or with a person within {handoff_after_s + slack_s:.0f} s of its receipt.",
        "",
        "| case | down s | messages | stored | answered | handed off | neither | worst s to answer or person "
        "| duplicate rows | duplicate answers | duplicate Rasa turns | client resends | fallback answers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for v in verdicts:
        lines.append(
            f"| {v.case} | {v.down_s:.1f} | {v.sent} | {len(v.outcomes)} | {v.answered} | {v.handed_off} "
            f"| {len(v.neither)} | {v.worst_seconds:.1f} | {v.duplicate_rows} | {v.duplicate_answers} "
            f"| {v.duplicate_turns} | {v.resends} | {len(v.fallbacks)} |"
        )
    return "\n".join(lines) + "\n"


#: Below this line the page keeps what people wrote about the runs; the suite rewrites only what is above.
NOTES = "<!-- notes: kept when the suite rewrites this page -->"

HEADER = """# Fault suite (issue 19): kill -9 each process under a bounded load

`make faults` (or `FAULTS_REPORT=docs/benchmarks/faults.md .venv/bin/pytest -m faults -q`) rewrites the
part of this page above the notes; `make test` and CI run the same suite (tests/faults/, marked `faults`
and `e2e`).

The stack: real Rasa 3.6, the action server, the hub's web process (`HUB_RUN_WORKER=false`) and two
`python -m hub.worker` processes, on the suite's own PostgreSQL cluster (initdb in a temp dir) and its own
`redis-server` (jobs and broadcast), so the machine's shared servers are never restarted. Each case: 24
customers of the channel-neutral API send "hola", then two Spanish FAQ questions or thanks (72 messages over
~12 s; a send that fails is resent with the same `client_message_id`, as an API client would); 4 s in,
the process is killed with `kill -9` (PostgreSQL: `pg_ctl stop -m immediate`; Redis comes back empty, as
the machine's keeps nothing on disk) and started again at once; after the drain, from the hub database and
Rasa's trackers (`GET /conversations/{id}/tracker?include_events=APPLIED`, user events per hub
`message_id`): every message stored once, answered once (bot turn done, one `bot_replied`) or its
conversation with a person, within the deadline below from the message's `created_at`, and each message
one user turn in Rasa. *down s* is from the kill until the process answered again (Rasa loads its model
for about a minute). *client resends* count the sends refused while the web process was down. *fallback
answers*: messages answered with Rasa's "Perdona, no te he entendido" (its custom actions did not run),
which must be none.

"""


def page(text: str, existing: str | None) -> str:
    """The whole page: header and table, then the notes of the existing page, if any."""
    notes = existing.split(NOTES, 1)[1] if existing and NOTES in existing else "\n"
    return HEADER + text + "\n" + NOTES + notes
