"""Fixtures: a stand-in knowledge base and a demo shop in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from action_harness import StubKB

from actions.knowledge import use_kb
from actions.order import use_store
from demo_shop import OrderStore


@pytest.fixture
def kb() -> Iterator[StubKB]:
    stub = StubKB()
    use_kb(stub)  # type: ignore[arg-type]
    yield stub
    use_kb(None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OrderStore]:
    shop = OrderStore(tmp_path / "demo_shop.db")
    use_store(shop)
    yield shop
    use_store(None)
