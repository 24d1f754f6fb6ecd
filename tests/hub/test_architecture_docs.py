"""The README diagram and docs/architecture.md show the core's seams and every event (hub/bus.py).

(tests/ops/test_readme.py checks that every module the diagram names exists.)
"""

from __future__ import annotations

from pathlib import Path

from hub.bus import EventName

ROOT = Path(__file__).resolve().parents[2]


def _diagram() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("<!-- architecture:start -->", 1)[1].split("<!-- architecture:end -->")[0]


def test_the_readme_diagram_names_every_event_and_seam() -> None:
    diagram = _diagram()
    for name in EventName:
        family, _, last = name.value.partition(".")
        assert family in diagram and last in diagram, f"{name.value} is missing from the README diagram"
    for seam in ("TurnPolicy", "AgentDirectory", "HandoffView", "mostrador/wiring.py", "hub/bus.py"):
        assert seam in diagram, seam


def test_the_architecture_doc_lists_every_event_and_its_publisher() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    for name in EventName:
        family, _, last = name.value.partition(".")
        assert f"`{name.value}`" in doc or (f"`{family}." in doc and f"`{last}`" in doc), name.value
