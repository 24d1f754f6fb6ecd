"""The suite's test modules have unique file names: pytest imports them by basename (rootdir-relative,
no packages), so a second tests/*/test_api.py stops collection for the whole of `make test`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_modules_share_a_file_name() -> None:
    names = Counter(path.name for path in TESTS.rglob("*.py") if path.name != "conftest.py"
                    and path.name != "__init__.py")  # fmt: skip
    assert [name for name, n in names.items() if n > 1] == []
