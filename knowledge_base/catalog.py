"""The validated set of entries of a KB, with a content hash and a cheap change stamp."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge_base.entry import Entry
from knowledge_base.entry_files import (
    ENTRY_SUFFIXES,
    Problem,
    RawRecord,
    entry_files,
    read_records,
)

__all__ = ["Catalog", "KBValidationError", "files_stamp"]

_REQUIRED = ("id", "question", "answer")
_KNOWN = {"id", "lang", "question", "alt_questions", "answer", "category", "url", "updated"}


class KBValidationError(ValueError):
    """Every problem found in the KB files, reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"the knowledge base has {len(problems)} problem(s):\n{lines}")


def files_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every entry file: cheap to compute, changes when a file does."""
    stamp = []
    for path in entry_files(root):
        try:
            st = path.stat()
        except OSError:
            continue
        stamp.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


@dataclass(frozen=True)
class Catalog:
    """Entries keyed by ``(id, lang)``; ``content_hash`` changes whenever any entry does."""

    entries: tuple[Entry, ...]
    content_hash: str
    stamp: tuple[tuple[str, int, int], ...] = field(default=(), compare=False)

    @classmethod
    def load(cls, root: Path, languages: Iterable[str] = ("es", "en")) -> Catalog:
        """Read and validate a KB; raise ``KBValidationError`` listing every problem."""
        langs = tuple(languages)
        stamp = files_stamp(root)
        files = entry_files(root)
        problems: list[Problem] = []
        if not files:
            problems.append(Problem(str(root), 0, "no entry files (" + ", ".join(ENTRY_SUFFIXES) + ")"))
        records = [r for path in files for r in read_records(path, langs, problems)]
        entries = [e for r in records if (e := _validate(r, langs, problems)) is not None]
        _check_duplicates(entries, problems)
        if problems:
            raise KBValidationError(problems)
        return cls.from_entries(entries, stamp)

    @classmethod
    def from_entries(
        cls, entries: Iterable[Entry], stamp: tuple[tuple[str, int, int], ...] = ()
    ) -> Catalog:
        ordered = tuple(sorted(entries, key=lambda e: (e.id, e.lang)))
        digest = hashlib.sha256()
        for e in ordered:
            for value in (e.id, e.lang, e.question, *e.alt_questions, e.answer, e.url or ""):
                digest.update(value.encode("utf-8") + b"\x00")
            digest.update(b"\x01")
        return cls(ordered, digest.hexdigest(), stamp)

    def get(self, entry_id: str, lang: str | None = None) -> Entry | None:
        """The entry in ``lang`` if it exists, else its first version in any language."""
        versions = self._index().get(entry_id, {})
        if lang is not None and lang in versions:
            return versions[lang]
        return next(iter(versions.values()), None)

    def versions(self, entry_id: str) -> dict[str, Entry]:
        return dict(self._index().get(entry_id, {}))

    @property
    def ids(self) -> list[str]:
        return list(self._index())

    def _index(self) -> dict[str, dict[str, Entry]]:
        cached: dict[str, dict[str, Entry]] | None = self.__dict__.get("_by_id")
        if cached is None:
            cached = {}
            for e in self.entries:
                cached.setdefault(e.id, {})[e.lang] = e
            object.__setattr__(self, "_by_id", cached)
        return cached


def _validate(record: RawRecord, langs: tuple[str, ...], problems: list[Problem]) -> Entry | None:
    data, name = record.data, record.file
    found: list[Problem] = []

    def bad(fieldname: str, message: str) -> None:
        found.append(Problem(name, record.line_of(fieldname), message))

    for key in sorted(set(data) - _KNOWN):
        bad(key, f"unknown field {key!r} (known: {', '.join(sorted(_KNOWN))})")
    for key in _REQUIRED:
        if key not in data or data[key] is None:
            bad(key, f"missing field {key!r}")
        elif not isinstance(data[key], str | int) or not str(data[key]).strip():
            bad(key, f"empty {key!r}")
    lang = data.get("lang", record.dir_lang)
    if lang is None:
        bad("lang", "missing field 'lang' (and no language directory)")
    elif lang not in langs:
        bad("lang", f"unknown language {lang!r} (supported: {', '.join(langs)})")
    elif record.dir_lang is not None and lang != record.dir_lang:
        bad("lang", f"lang {lang!r} does not match its directory {record.dir_lang!r}")
    alts = data.get("alt_questions") or []
    if not isinstance(alts, list) or not all(isinstance(a, str) and a.strip() for a in alts):
        bad("alt_questions", "alt_questions must be a list of non-empty strings")
        alts = []
    updated = _date(data.get("updated"))
    if updated is False:
        bad("updated", f"bad date {data.get('updated')!r} (expected YYYY-MM-DD)")
    url = data.get("url")
    if url is not None and not isinstance(url, str):
        bad("url", "url must be a string")
    if found:
        problems.extend(found)
        return None
    return Entry(
        id=str(data["id"]).strip(),
        lang=str(lang),
        question=str(data["question"]).strip(),
        answer=str(data["answer"]).strip(),
        alt_questions=tuple(a.strip() for a in alts),
        category=str(data.get("category") or Path(name).stem),
        url=url,
        updated=updated if isinstance(updated, dt.date) else None,
        source=f"{name}:{record.line}",
    )


def _date(value: Any) -> dt.date | bool | None:
    """A date, None when absent, False when unparseable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return False
    return False


def _check_duplicates(entries: list[Entry], problems: list[Problem]) -> None:
    seen: dict[tuple[str, str], Entry] = {}
    for e in entries:
        first = seen.setdefault((e.id, e.lang), e)
        if first is not e:
            file, _, line = e.source.rpartition(":")
            problems.append(
                Problem(file, int(line), f"duplicate id {e.id!r} for lang {e.lang!r} "
                        f"(first defined at {first.source})")
            )
