"""FAQ entries from a spreadsheet: ``.csv`` (``;`` or ``,``, UTF-8 or Excel's cp1252) or ``.xlsx``.

The first row names the columns (case- and accent-insensitive, English or Spanish):
question/pregunta and answer/respuesta (required), alternatives/alternativas (several questions
in one cell, one per line or separated by ``|``), language/idioma, category/categoria,
url/enlace, updated/actualizado and id. Each later row is one entry in one language; rows with
the same id and different languages are the language versions of one entry. Without an id the
entry's id is a slug of its question, so it stays the same as long as the question does.

Every problem is reported with the file and the row number the spreadsheet program shows
(the header is row 1); blank rows are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from knowledge_base.entry_files import Problem, RawRecord

__all__ = ["read_spreadsheet", "slug"]

#: column (as the entry field it fills) -> header names accepted for it, already folded
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "identificador"),
    "question": ("question", "pregunta"),
    "answer": ("answer", "respuesta"),
    "alt_questions": ("alternatives", "alternativas", "alt questions", "alternative questions",
                      "preguntas alternativas"),
    "lang": ("language", "lang", "idioma"),
    "category": ("category", "categoria"),
    "url": ("url", "link", "enlace"),
    "updated": ("updated", "actualizado"),
}
_BY_HEADER = {name: key for key, names in COLUMNS.items() for name in names}
#: language names a person may type instead of the code
_LANGUAGE_NAMES = {"espanol": "es", "castellano": "es", "spanish": "es",
                   "ingles": "en", "english": "en"}
_ALT_SPLIT = re.compile(r"\s*(?:\r\n|\r|\n|\|)\s*")
_MAX_SLUG = 60

Row = tuple[int, list[Any]]  # (row number as the spreadsheet shows it, cell values)


def read_spreadsheet(
    path: Path, languages: Sequence[str], problems: list[Problem], dir_lang: str | None = None
) -> list[RawRecord]:
    """Rows of a CSV or XLSX file as raw records; problems are appended, never raised.

    Only rows without a problem become records, so the catalog's own checks (duplicates)
    see clean data; any problem makes the whole KB fail to load, so nothing is half-imported.
    """
    name = str(path)
    try:
        rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _csv_rows(path)
    except _Unreadable as exc:
        problems.append(Problem(name, 1, str(exc)))
        return []
    rows = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    if not rows:
        problems.append(Problem(name, 1, "the sheet is empty: the first row must name the "
                                         "columns (question, answer, ...)"))
        return []
    (header_row, header), body = rows[0], rows[1:]
    columns = _columns(header, name, header_row, problems)
    if columns is None:
        return []
    default_lang = dir_lang or languages[0]
    records = []
    derived: dict[tuple[str, str], int] = {}  # (id made from the question, lang) -> its row
    for n, cells in body:
        record, id_written = _record(cells, columns, name, n, languages, default_lang, problems)
        if record is None:
            continue
        key = (str(record.data["id"]), str(record.data["lang"]))
        if not id_written:
            if key in derived:  # the catalog would blame an id the person never wrote
                problems.append(Problem(name, n, f"same question as row {derived[key]} in "
                                                 f"{key[1]!r}: merge the two rows, or give them "
                                                 "different ids in an id column"))
                continue
            derived[key] = n
        records.append(record)
    return records


def slug(text: str) -> str:
    """A stable id from a question: accent-free lower-case words joined by ``-``."""
    folded = _fold(text)
    words = re.findall(r"[a-z0-9]+", folded)
    out = "-".join(words)
    if len(out) > _MAX_SLUG:
        out = out[:_MAX_SLUG].rsplit("-", 1)[0]
    return out


# ------------------------------------------------------------------ columns and rows
def _columns(
    header: list[Any], name: str, row: int, problems: list[Problem]
) -> dict[str, tuple[int, str]] | None:
    """field -> (cell index, header as written); None when the header cannot be used."""
    columns: dict[str, tuple[int, str]] = {}
    found: list[Problem] = []
    for i, cell in enumerate(header):
        written = _text(cell)
        if not written:
            continue
        key = _BY_HEADER.get(_fold(written).replace("_", " "))
        if key is None:
            known = ", ".join(f"{names[0]}/{names[1]}" for names in COLUMNS.values())
            found.append(Problem(name, row, f"unknown column {written!r}: rename it to one of "
                                            f"{known}, or delete the column"))
        elif key in columns:
            found.append(Problem(name, row, f"columns {columns[key][1]!r} and {written!r} are "
                                            "the same field: keep one"))
        else:
            columns[key] = (i, written)
    for key in ("question", "answer"):
        if key not in columns:
            english, spanish = COLUMNS[key][:2]
            found.append(Problem(name, row, f"no {english!r} column: the first row must name "
                                            f"one column {english} or {spanish}"))
    problems.extend(found)
    return None if found else columns


def _record(
    cells: list[Any], columns: dict[str, tuple[int, str]], name: str, row: int,
    languages: Sequence[str], default_lang: str, problems: list[Problem],
) -> tuple[RawRecord | None, bool]:
    """The row as a record (None when it has problems), and whether its id was written."""
    found: list[str] = []
    values: dict[str, str] = {}
    for key, (i, written) in columns.items():
        cell = cells[i] if i < len(cells) else None
        if isinstance(cell, _Formula):
            found.append(f"column {written!r} holds a formula with no saved value ({cell.text}): "
                         "open and save the file in Excel or LibreOffice, or paste it as values")
            continue
        values[key] = _raw(cell) if key in ("answer", "alt_questions") else _text(cell)
    for key in ("question", "answer"):
        if not values.get(key):
            found.append(f"empty {key} (column {columns[key][1]!r}): write the {key} "
                         "or delete the row")
    lang = _language(values.get("lang", ""), default_lang)
    if lang not in languages:
        found.append(f"unknown language {values['lang']!r} in column {columns['lang'][1]!r} "
                     f"(use one of: {', '.join(languages)})")
    entry_id = values.get("id") or slug(values.get("question", ""))
    if not entry_id and values.get("question"):
        found.append("the question has no letters or digits to make an id from: "
                     "add an id column")
    if found:
        problems.extend(Problem(name, row, message) for message in found)
        return None, False
    data: dict[str, Any] = {"id": entry_id, "lang": lang, "question": values["question"],
                            "answer": values["answer"]}
    alts = [a for a in _ALT_SPLIT.split(values.get("alt_questions", "")) if a]
    if alts:
        data["alt_questions"] = alts
    for key in ("category", "url", "updated"):
        if values.get(key):
            data[key] = values[key]
    return RawRecord(data, name, row), bool(values.get("id"))


def _language(written: str, default: str) -> str:
    if not written:
        return default
    folded = _fold(written)
    return _LANGUAGE_NAMES.get(folded, folded)


# -------------------------------------------------------------------------- readers
class _Unreadable(Exception):
    """The file cannot be read as a spreadsheet at all."""


class _Formula:
    """An XLSX formula cell whose computed value was never saved (e.g. written by a script)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _csv_rows(path: Path) -> list[Row]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(f"cannot read file: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # Excel's "CSV" on Windows writes the ANSI code page
            text = data.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return [(n, list(cells)) for n, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise _Unreadable(f"invalid CSV near row {reader.line_num}: {exc}") from exc


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most known column names."""
    first = next((line for line in text.splitlines() if line.strip()), "")

    def known(delim: str) -> int:
        cells = next(csv.reader([first], delimiter=delim), [])
        return sum(_fold(c).replace("_", " ") in _BY_HEADER for c in cells)

    return max((";", ",", "\t"), key=lambda d: (known(d), first.count(d)))


def _xlsx_rows(path: Path) -> list[Row]:
    import openpyxl  # imported here: only spreadsheet KBs need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except (OSError, InvalidFileException, BadZipFile, KeyError, ValueError) as exc:
        raise _Unreadable(f"cannot read the workbook ({exc}): save it again as .xlsx") from exc
    sheet, raw = values.worksheets[0], formulas.worksheets[0]  # the first sheet only
    rows: list[Row] = []
    for value_row, raw_row in zip(sheet.iter_rows(), raw.iter_rows(), strict=True):
        cells: list[Any] = []
        for value, written in zip(value_row, raw_row, strict=True):
            formula = written.data_type == "f" and value.value is None
            cells.append(_Formula(str(written.value)) if formula else value.value)
        rows.append((value_row[0].row, cells))
    return rows


# -------------------------------------------------------------------------- cells
def _raw(cell: Any) -> str:
    """A cell as text, inner line breaks kept (alternatives are split on them)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).replace("\r\n", "\n").replace("\r", "\n").strip()


def _text(cell: Any) -> str:
    return " ".join(_raw(cell).split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
