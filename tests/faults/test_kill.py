"""Issue 19's fault suite: under a bounded load of Spanish API customers, each process is killed with
``kill -9`` (or its server restarted) and brought back; after the drain, read from the hub database and
Rasa's trackers:

- every message stored once (no duplicate client message ids);
- every message answered once, or its conversation with a person, within BOT_HANDOFF_AFTER + slack of
  its receipt (``created_at``);
- no duplicate Rasa turns (user events per hub message id in the tracker, rewound ones not counted).

The cases share one stack and run in order, Rasa last (its restart takes about a minute).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import pytest

from tests.faults.conftest import HANDOFF_AFTER_S, SLACK_S, FaultStack
from tests.faults.load import run_load
from tests.faults.report import VERDICTS
from tests.faults.verdict import rasa_user_turns, read_verdict, wait_drained

KILL_AT_S = 4.0  # into the load
DOWN_S = 1.0  # between the kill and the restart


def _restart_service(name: str) -> Callable[[FaultStack], None]:
    def fault(faults: FaultStack) -> None:
        faults.kill(name)
        time.sleep(DOWN_S)
        faults.restart(name)
    return fault


def _restart_redis(faults: FaultStack) -> None:
    faults.redis.kill()
    time.sleep(DOWN_S)
    faults.redis.start()


def _restart_postgres(faults: FaultStack) -> None:
    faults.postgres.crash()
    time.sleep(DOWN_S)
    faults.postgres.start()


CASES: dict[str, Callable[[FaultStack], None]] = {
    "hub web process kill -9": _restart_service("hub"),
    "worker kill -9 (1 of 2)": _restart_service("worker-1"),
    "action server kill -9": _restart_service("action-server"),
    "Redis kill -9 + restart (empty)": _restart_redis,
    "PostgreSQL crash + restart": _restart_postgres,
    "Rasa kill -9": _restart_service("rasa"),
}


async def _faulted(faults: FaultStack, case: str) -> float:
    await asyncio.sleep(KILL_AT_S)
    started = time.monotonic()
    await asyncio.to_thread(CASES[case], faults)
    return time.monotonic() - started


@pytest.mark.parametrize("case", list(CASES))
async def test_every_message_is_stored_once_and_answered_or_handed_off_in_time(
    fault_stack: FaultStack, case: str
) -> None:
    run = f"f{uuid.uuid4().hex[:8]}"
    fault = asyncio.create_task(_faulted(fault_stack, case))
    load = await run_load(fault_stack.endpoints.hub, fault_stack.endpoints.api_key, run=run)
    down_s = await fault
    url = fault_stack.postgres.url
    left = await asyncio.to_thread(wait_drained, url, run, HANDOFF_AFTER_S + 60)
    verdict = read_verdict(url, case=case, run=run, sent=len(load.sent))
    verdict.resends, verdict.down_s = load.resends, down_s
    conversations = {o.conversation_id for o in verdict.outcomes}
    verdict.rasa_turns = await asyncio.to_thread(
        rasa_user_turns, fault_stack.endpoints.rasa, fault_stack.rasa_token, conversations)
    VERDICTS[case] = verdict

    assert not load.unacknowledged, f"{len(load.unacknowledged)} messages never got a receipt"
    assert len(verdict.rows) == len(load.sent) and verdict.duplicate_rows == 0, verdict.rows
    assert verdict.duplicate_answers == 0
    assert not verdict.neither, [(o.message_id, o.bot_state) for o in verdict.neither]
    # Rasa's fallback while its action server was down is no answer (it was counted as one before).
    assert not verdict.fallbacks, [(o.message_id, o.conversation_id) for o in verdict.fallbacks]
    bound = HANDOFF_AFTER_S + SLACK_S
    late = [(o.message_id, o.seconds) for o in verdict.outcomes if (o.seconds or 0) > bound]
    assert not late, f"answered or handed off later than {bound} s: {late}"
    stuck = [(o.message_id, o.conversation_id) for o in verdict.outcomes if o.bot_state == "queued"]
    if stuck and case in KNOWN_STUCK:
        pytest.xfail(f"{KNOWN_STUCK[case]} (message id, conversation id: {stuck})")
    assert left == 0 and not stuck, f"still queued after the drain (message id, conversation id): {stuck}"


# Real bugs the suite found (issue 19; docs/benchmarks/faults.md), expected until fixed.
KNOWN_STUCK = {
    "PostgreSQL crash + restart": (
        "known bug: a message stays bot_state=queued in a conversation handed off meanwhile: a drain lease "
        "left behind by a job whose Redis call failed on a connection from before the Redis case's restart "
        "(docs/benchmarks/faults.md)"),
}
# Redis restarted empty gave duplicate turns until the turn got its lease (hub/turns/ask.py).
KNOWN_DUPLICATE_TURNS: dict[str, str] = {}


def _turn_cases() -> list[object]:
    return [
        pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN_DUPLICATE_TURNS[case], strict=False))
        if case in KNOWN_DUPLICATE_TURNS else case
        for case in CASES
    ]


@pytest.mark.parametrize("case", _turn_cases())
def test_rasa_runs_each_message_once(fault_stack: FaultStack, case: str) -> None:
    verdict = VERDICTS.get(case)
    if verdict is None:
        pytest.skip(f"the case {case!r} did not run")
    twice = {mid: n for mid, n in verdict.rasa_turns.items() if n > 1}
    assert not twice, f"hub message id -> user turns in Rasa's tracker: {twice}"
