"""Fixtures: a stand-in knowledge base and a demo shop in a temporary directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from action_harness import StubKB

from actions.knowledge import use_kb
from actions.order import use_store, use_today
from demo_shop import OrderStore


@pytest.fixture
def kb() -> Iterator[StubKB]:
    stub = StubKB()
    use_kb(stub)  # type: ignore[arg-type]
    yield stub
    use_kb(None)


#: "Today" for order tests: before every estimated delivery of the seed orders (none is late).
BEFORE_EVERY_ETA = dt.date(2026, 11, 20)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OrderStore]:
    shop = OrderStore(tmp_path / "demo_shop.db")
    use_store(shop)
    use_today(lambda: BEFORE_EVERY_ETA)
    yield shop
    use_store(None)
    use_today(None)
