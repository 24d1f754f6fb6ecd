"""docs/kpis.md lists every KPI with the definition the code uses (kpis/definitions.py), and the CSV's
columns."""

from __future__ import annotations

from pathlib import Path

from kpis.definitions import KPIS
from kpis.export import CSV_COLUMNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def test_the_doc_table_is_the_code() -> None:
    table = DOC.read_text().split("<!-- kpis:start -->", 1)[1].split("<!-- kpis:end -->")[0]
    rows = [line for line in table.strip().splitlines()[2:]]
    expected = [f"| `{k.key}` | {k.title} | {k.title_en} | {k.unit} | {k.doc} |" for k in KPIS]
    assert rows == expected


def test_the_doc_names_the_csv_columns() -> None:
    text = " ".join(DOC.read_text().split())
    assert ", ".join(CSV_COLUMNS) in text
