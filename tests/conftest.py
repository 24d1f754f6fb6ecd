"""Suite-wide ordering: browser tests run last.

Playwright's sync API keeps an event loop running in the main thread while its session-scoped browser
is open; any later test that calls asyncio.run() would fail with "cannot be called from a running
event loop". Running the browser tests last keeps them from leaking into the others.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: "tests/browser/" in str(item.path))
