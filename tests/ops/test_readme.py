"""The README stays true: its configuration table and architecture diagram match the code."""

from __future__ import annotations

import re

from ops.config_doc import END, README, START, render
from ops.stack import ROOT


def test_configuration_table_lists_every_setting_as_the_code_defines_it() -> None:
    text = README.read_text()
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == render(), "README config table is stale: run `.venv/bin/python -m ops.config_doc --write`"


def test_every_module_named_in_the_architecture_diagram_exists() -> None:
    text = README.read_text()
    diagram = text.split("<!-- architecture:start -->", 1)[1].split("<!-- architecture:end -->")[0]
    paths = set(re.findall(r"\b([a-z_]+/[a-z_/]+\.py)\b", diagram))
    assert paths, "the diagram names no modules"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"the README diagram names modules that do not exist: {missing}"
