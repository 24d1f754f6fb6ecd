"""One real stack for the whole e2e session: cached Rasa model, real Rasa, real action server, real hub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.run import Endpoints, bring_up
from ops.stack import ROOT, Stack, free_port

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"


@pytest.fixture(scope="session")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def running_stack(stack_dir: Path) -> Iterator[tuple[Stack, Endpoints]]:
    if not RASA_BIN.exists():
        pytest.fail(f"{RASA_BIN} is missing: run `make venvs` (make test does) before the e2e tests")
    stack, endpoints = bring_up(
        data_dir=stack_dir,
        hub_port=free_port(), rasa_port=free_port(), action_port=free_port(),
        models_dir=ROOT / "var" / "models",  # the model cache is shared with `make run`
        report=lambda line: print(line, flush=True),
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
