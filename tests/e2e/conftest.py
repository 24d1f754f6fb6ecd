"""One real stack for the whole e2e session: cached Rasa model, real Rasa, real action server, real hub.

The hub's WhatsApp channel is on, pointed at a fake Graph API server (tests/fakes/graph_api.py) that
records what the hub sends; tests post webhooks signed with ``WHATSAPP_APP_SECRET`` (walkthrough_testing.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from walkthrough_testing import WHATSAPP_APP_SECRET, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_TOKEN

from ops.run import Endpoints, bring_up
from ops.stack import ROOT, Stack, free_port
from tests.fakes.graph_api import FakeGraphAPI

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def graph_api() -> Iterator[FakeGraphAPI]:
    """The fake WhatsApp Cloud API the stack's hub sends to (what a WhatsApp customer receives)."""
    server = FakeGraphAPI(access_token=WHATSAPP_TOKEN).start()
    yield server
    server.stop()


def whatsapp_env(graph: FakeGraphAPI) -> dict[str, str]:
    return {
        "WHATSAPP_ENABLED": "true",
        "WHATSAPP_ACCESS_TOKEN": WHATSAPP_TOKEN,
        "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "e2e-verify-token",
        "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_NUMBER_ID,
        "WHATSAPP_GRAPH_URL": graph.base_url,
        "WHATSAPP_POLL_INTERVAL": "0.2",
    }


@pytest.fixture(scope="session")
def running_stack(stack_dir: Path, graph_api: FakeGraphAPI) -> Iterator[tuple[Stack, Endpoints]]:
    if not RASA_BIN.exists():
        pytest.fail(f"{RASA_BIN} is missing: run `make venvs` (make test does) before the e2e tests")
    stack, endpoints = bring_up(
        data_dir=stack_dir,
        hub_port=free_port(), rasa_port=free_port(), action_port=free_port(),
        models_dir=ROOT / "var" / "models",  # the model cache is shared with `make run`
        report=lambda line: print(line, flush=True),
        # the FAQ index outlives the session: a later run with the same FAQ loads it, not rebuilds
        extra_env={**whatsapp_env(graph_api), "KB_INDEX_DIR": str(ROOT / "var" / "e2e" / "kb")},
    )
    try:
        yield stack, endpoints
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def stack(running_stack: tuple[Stack, Endpoints]) -> Endpoints:
    return running_stack[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
