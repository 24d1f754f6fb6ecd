"""Write one entry's language version into the YAML entry files the knowledge base reads.

Text-level and surgical: the edited entry's span (from its ``- id:`` line to its last field) is replaced by
the entry rendered in the demo's style, and everything else in the file (other entries, comments, blank
lines, order) stays byte for byte. A new entry goes at the end of ``<KB>/<lang>/<category>.yaml`` (or
``<KB>/<category>.yaml`` when the KB has no language folders). Files are replaced atomically (a hidden
temporary file, which the KB's loader skips, then a rename), so the action server never reads half a file.
Entries kept in Markdown, JSON or spreadsheets are read-only here (``NotEditable``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge_base.entry_files import _Loader

__all__ = ["EntryFields", "NotEditable", "file_for_new", "remove_entry", "render", "write_entry"]

YAML_SUFFIXES = (".yaml", ".yml")


class NotEditable(Exception):
    """The entry (or the KB) is not in YAML files this editor can write; the message says why."""


@dataclass(frozen=True)
class EntryFields:
    """One language version of an entry, as the editor edits it (``updated`` as YYYY-MM-DD)."""

    id: str
    lang: str
    question: str
    answer: str
    alt_questions: tuple[str, ...] = ()
    category: str = ""
    url: str | None = None
    updated: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "lang": self.lang,
            "question": self.question,
            "answer": self.answer,
            "alt_questions": list(self.alt_questions),
            "category": self.category,
            "url": self.url,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> EntryFields:
        alts = data.get("alt_questions") or []
        return cls(
            id=str(data["id"]),
            lang=str(data["lang"]),
            question=str(data["question"]),
            answer=str(data["answer"]),
            alt_questions=tuple(str(a) for a in alts),  # type: ignore[attr-defined]
            category=str(data.get("category") or ""),
            url=str(data["url"]) if data.get("url") else None,
            updated=str(data["updated"]) if data.get("updated") else None,
        )


# ------------------------------------------------------------------ render
def _scalar(value: str) -> str:
    """A one-line YAML scalar, quoted only when YAML needs it."""
    dumped = yaml.dump(value, allow_unicode=True, width=10_000, default_style=None, Dumper=yaml.SafeDumper)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _block(value: str, indent: str) -> str:
    """The answer as a literal block (``|``), as the demo writes them; quoted when a block cannot hold it."""
    lines = value.split("\n")
    if any(line != line.rstrip() or "\t" in line for line in lines) or value != value.strip():
        return " " + _scalar(value)
    return " |\n" + "\n".join((indent + line) if line else "" for line in lines)


def render(entry: EntryFields) -> str:
    """The entry as a YAML list item (no trailing newline), fields in the demo's order."""
    out = [
        f"- id: {_scalar(entry.id)}",
        f"  lang: {_scalar(entry.lang)}",
        f"  question: {_scalar(entry.question)}",
    ]
    if entry.alt_questions:
        out.append("  alt_questions:")
        out += [f"    - {_scalar(alt)}" for alt in entry.alt_questions]
    out.append("  answer:" + _block(entry.answer, "    "))
    if entry.category:
        out.append(f"  category: {_scalar(entry.category)}")
    if entry.url:
        out.append(f"  url: {_scalar(entry.url)}")
    if entry.updated:
        out.append(f"  updated: {entry.updated}")
    return "\n".join(out)


# ------------------------------------------------------------------- spans
def _spans(text: str) -> list[tuple[str, str | None, int, int]]:
    """(id, lang, start, end) of each entry: start at its ``-`` line, end after its last value."""
    root = yaml.compose(text, Loader=_Loader)
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise NotEditable("the file is not a YAML list of entries")
    spans = []
    for node in root.value:
        if not isinstance(node, yaml.MappingNode):
            continue
        fields = {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        start = text.rfind("\n", 0, node.start_mark.index) + 1
        end = node.end_mark.index
        while end > start and text[end - 1] in "\n ":
            end -= 1
        entry_id = fields["id"].value if "id" in fields else ""
        lang = fields["lang"].value if "lang" in fields else None
        spans.append((str(entry_id), lang if isinstance(lang, str) else None, start, end))
    return spans


def _find(text: str, path: Path, entry_id: str, lang: str) -> tuple[int, int] | None:
    for found_id, found_lang, start, end in _spans(text):
        if found_id == entry_id and (found_lang or _dir_lang(path, lang)) == lang:
            return start, end
    return None


def _dir_lang(path: Path, lang: str) -> str | None:
    return lang if lang in path.parent.parts else None


def _check_yaml(path: Path) -> None:
    if path.suffix.lower() not in YAML_SUFFIXES:
        raise NotEditable(
            f"{path.name} is not a YAML file: edit it where it was made, or move the entry to a .yaml file"
        )


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.faq-editor.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ------------------------------------------------------------------ writes
def file_for_new(root: Path, entry: EntryFields) -> Path:
    """Where a new entry goes: ``<KB>/<lang>/<category>.yaml`` when the KB has language folders."""
    if not root.is_dir():
        raise NotEditable(f"the knowledge base is one file ({root.name}): edit it where it was made")
    name = (entry.category or "faq") + ".yaml"
    if (root / entry.lang).is_dir() or any((root / d).is_dir() for d in ("es", "en")):
        return root / entry.lang / name
    return root / name


def write_entry(path: Path, entry: EntryFields, old: tuple[str, str] | None = None) -> None:
    """Replace version ``old`` (id, lang) of an entry in ``path`` with ``entry`` (append when absent)."""
    _check_yaml(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    span = _find(text, path, *(old or (entry.id, entry.lang))) if text else None
    rendered = render(entry)
    if span is not None:
        text = text[: span[0]] + rendered + text[span[1] :]
    elif text.strip():
        text = text.rstrip("\n") + "\n\n" + rendered + "\n"
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = rendered + "\n"
    _replace(path, text)


def remove_entry(path: Path, entry_id: str, lang: str) -> None:
    """Remove an entry's version from ``path``, with the blank line after it; other text untouched."""
    _check_yaml(path)
    text = path.read_text(encoding="utf-8")
    spans = _spans(text)
    for i, (found_id, found_lang, start, _end) in enumerate(spans):
        if found_id == entry_id and (found_lang or _dir_lang(path, lang)) == lang:
            stop = spans[i + 1][2] if i + 1 < len(spans) else len(text)
            text = text[:start] + text[stop:]
            if i + 1 == len(spans):
                text = text.rstrip("\n") + "\n" if text.strip() else ""
            break
    else:
        return
    if text.strip():
        _replace(path, text)
    else:
        path.unlink()
