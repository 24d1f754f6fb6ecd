"""Reading entry files into raw records that remember the file and line they came from.

Supported formats:

* ``*.yaml`` / ``*.yml``: a YAML list of entry mappings (one file per category and language).
* ``*.md``: one entry per file, YAML front matter between ``---`` lines, the body is the answer.
* ``*.json``: a flat JSON list ``[{"id", "question", "answer", "alt_questions": [...], "lang"}]``.
* ``*.csv`` / ``*.xlsx``: one entry per row under a header row (``knowledge_base/spreadsheet.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ENTRY_SUFFIXES", "SPREADSHEET_SUFFIXES", "Problem", "RawRecord", "entry_files", "read_records"]

SPREADSHEET_SUFFIXES = (".csv", ".xlsx")
ENTRY_SUFFIXES = (".yaml", ".yml", ".md", ".json", *SPREADSHEET_SUFFIXES)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so a bad date is a reported problem."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the KB content, located as precisely as the format allows."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class RawRecord:
    """An entry as written, before validation."""

    data: dict[str, Any]
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)
    dir_lang: str | None = None  # language implied by a parent directory named like one

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


def entry_files(root: Path) -> list[Path]:
    """Every entry file of a KB (a directory, searched recursively, or a single file)."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in ENTRY_SUFFIXES
        and not p.name.startswith("~$")  # the lock file Excel keeps next to an open workbook
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
        and "queries" not in p.relative_to(root).parts
        and p.name.lower() != "readme.md"
    )


def read_records(
    path: Path, languages: tuple[str, ...], problems: list[Problem]
) -> list[RawRecord]:
    """Parse one file; syntax errors are appended to ``problems`` instead of raised."""
    name = str(path)
    dir_lang = next((p for p in reversed(path.parent.parts) if p in languages), None)
    suffix = path.suffix.lower()
    if suffix not in ENTRY_SUFFIXES:
        problems.append(Problem(name, 1, f"unsupported file type {path.suffix!r}: use "
                                         f"{', '.join(ENTRY_SUFFIXES)} (save .xls/.ods as .xlsx)"))
        return []
    if suffix in SPREADSHEET_SUFFIXES:
        from knowledge_base.spreadsheet import read_spreadsheet  # it imports Problem from here

        return read_spreadsheet(path, languages, problems, dir_lang)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(name, 1, f"cannot read file: {exc}"))
        return []
    if suffix == ".json":
        records = list(_json_records(text, name, problems))
    elif suffix == ".md":
        records = _markdown_records(text, name, problems)
    else:
        records = _yaml_records(text, name, problems, first_line=1)
    for record in records:
        record.dir_lang = dir_lang
    return records


def _yaml_records(
    text: str, name: str, problems: list[Problem], first_line: int
) -> list[RawRecord]:
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        problems.append(Problem(name, line, f"invalid YAML: {exc}".splitlines()[0]))
        return []
    if root is None:
        return []
    if isinstance(data, dict) and isinstance(root, yaml.MappingNode):
        data, nodes = [data], [root]
    elif isinstance(data, list) and isinstance(root, yaml.SequenceNode):
        nodes = list(root.value)
    else:
        problems.append(Problem(name, first_line, "expected a list of entries"))
        return []
    records: list[RawRecord] = []
    for item, node in zip(data, nodes, strict=True):
        line = first_line + node.start_mark.line
        if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
            problems.append(Problem(name, line, "entry must be a mapping of fields"))
            continue
        lines = {
            str(key.value): first_line + key.start_mark.line
            for key, _ in node.value
            if isinstance(key, yaml.ScalarNode)
        }
        records.append(RawRecord({str(k): v for k, v in item.items()}, name, line, lines))
    return records


def _markdown_records(text: str, name: str, problems: list[Problem]) -> list[RawRecord]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(name, 1, "Markdown entry must start with '---' front matter"))
        return []
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(Problem(name, 1, "front matter is not closed with '---'"))
        return []
    front = "\n".join(lines[1:end])
    records = _yaml_records(front, name, problems, first_line=2)
    if len(records) != 1:
        if records:
            problems.append(Problem(name, 2, "front matter must describe exactly one entry"))
        return []
    record = records[0]
    body = "\n".join(lines[end + 1 :]).strip()
    if body and "answer" not in record.data:
        record.data["answer"] = body
        record.field_lines["answer"] = end + 2
    return [record]


def _json_records(text: str, name: str, problems: list[Problem]) -> Iterator[RawRecord]:
    """Decode a JSON list element by element so each entry keeps its line number."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        problems.append(Problem(name, 1, "expected a JSON list of entries"))
        return
    pos = _skip(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        line = text.count("\n", 0, pos) + 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, exc.lineno, f"invalid JSON: {exc.msg}"))
            return
        if isinstance(item, dict):
            yield RawRecord({str(k): v for k, v in item.items()}, name, line)
        else:
            problems.append(Problem(name, line, "entry must be a JSON object"))
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos
