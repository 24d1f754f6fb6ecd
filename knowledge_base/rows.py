"""What gets embedded: the index rows of each entry and the text recipe that produces them.

Each entry (all its language versions, grouped so an entry's rows are contiguous) yields:

* one **full** row per language: question + a few alternative questions + answer
  (indexing the answer and appending paraphrases both helped out-of-scope rejection);
* one **example** row per question phrasing (main + every ``alt_questions`` item), for
  nearest-example scoring, which keeps exploiting entries with hundreds of harvested examples;
* with ``answer_sentences``, one **sentence** row per sentence of the answer (customers describe
  their situation in words the answer uses more often than the question does).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge_base.catalog import Catalog
from knowledge_base.entry import Entry
from knowledge_base.normalizer import NORMALIZER_VERSION, normalize

__all__ = ["EXAMPLE", "FULL", "SENTENCE", "RowTable", "TextRecipe", "answer_sentences"]

FULL, EXAMPLE, SENTENCE = 0, 1, 2
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_MIN_SENTENCE_CHARS = 25


@dataclass(frozen=True)
class TextRecipe:
    """How entry and query text is prepared; part of the manifest (a change means a rebuild)."""

    max_alts_in_passage: int = 8
    example_top_n: int = 2  # an entry's example score: mean of its n nearest phrasings
    lexical: bool = True  # also index rows as character n-grams (``lexical.py``)
    lexical_lemmas: bool = False  # the n-grams of content-word lemmas (``lemmas.py``)
    normalize_documents: bool = False  # measured: raw entry text ranks better with e5
    strip_accents: bool = False
    answer_sentences: bool = False
    restore_accents: bool = False  # put the FAQ's accents back on customers' words
    examples_as_queries: bool = False  # embed question phrasings like queries (symmetric e5)
    normalizer_version: str = NORMALIZER_VERSION

    def query(self, text: str, lang: str | None) -> str:
        return normalize(text, lang, accents=not self.strip_accents)

    def document(self, text: str, lang: str) -> str:
        if not self.normalize_documents:
            return text.strip()
        return normalize(text, lang, accents=not self.strip_accents)

    def full_text(self, entry: Entry) -> str:
        alts = entry.alt_questions[: self.max_alts_in_passage]
        parts = [entry.question, *alts, entry.answer]
        return self.document("\n".join(parts), entry.lang)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class RowTable:
    """Row metadata aligned with the vector index; ``start[e]:start[e+1]`` are entry e's rows."""

    ids: tuple[str, ...]
    langs: tuple[str, ...]
    entry: np.ndarray  # int32, index into ids
    kind: np.ndarray  # int8, FULL or EXAMPLE
    lang: np.ndarray  # int8, index into langs
    start: np.ndarray  # int64, len(ids) + 1 offsets
    digest: np.ndarray  # S16, hash of the embedded text (embedding cache key)

    @classmethod
    def layout(cls, catalog: Catalog, recipe: TextRecipe) -> tuple[RowTable, list[str]]:
        """The table and the texts to embed, in row order."""
        ids = tuple(catalog.ids)
        langs = tuple(sorted({e.lang for e in catalog.entries}))
        texts: list[str] = []
        entry_col: list[int] = []
        kind_col: list[int] = []
        lang_col: list[int] = []
        start = [0]
        for i, entry_id in enumerate(ids):
            for lang, entry in sorted(catalog.versions(entry_id).items()):
                rows = [(FULL, recipe.full_text(entry))]
                rows += [(EXAMPLE, recipe.document(q, lang))
                         for q in (*entry.questions, *entry.examples)]
                if recipe.answer_sentences:
                    rows += [(SENTENCE, recipe.document(s, lang))
                             for s in answer_sentences(entry.answer)]
                for kind, text in rows:
                    texts.append(text)
                    entry_col.append(i)
                    kind_col.append(kind)
                    lang_col.append(langs.index(lang))
            start.append(len(texts))
        digest = np.array([_digest(("q\0" if k == EXAMPLE and recipe.examples_as_queries
                                     else "") + t) for k, t in zip(kind_col, texts, strict=True)],
                          dtype="S16")
        table = cls(
            ids,
            langs,
            np.array(entry_col, dtype=np.int32),
            np.array(kind_col, dtype=np.int8),
            np.array(lang_col, dtype=np.int8),
            np.array(start, dtype=np.int64),
            digest,
        )
        return table, texts

    def __len__(self) -> int:
        return len(self.entry)

    def save(self, path: Path) -> None:
        with path.open("wb") as fh:
            np.savez(
                fh,
                ids=np.array(self.ids, dtype=object).astype(str),
                langs=np.array(self.langs, dtype=str),
                entry=self.entry,
                kind=self.kind,
                lang=self.lang,
                start=self.start,
                digest=self.digest,
            )

    @classmethod
    def load(cls, path: Path) -> RowTable:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                tuple(str(x) for x in data["ids"]),
                tuple(str(x) for x in data["langs"]),
                data["entry"],
                data["kind"],
                data["lang"],
                data["start"],
                data["digest"],
            )


def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences (lines and ``. ! ? ; :`` ends); a short piece joins the next."""
    out: list[str] = []
    pending = ""
    for piece in _SENTENCE_END.split(answer.strip()):
        pending = f"{pending} {piece}".strip() if pending else piece.strip()
        if len(pending) >= _MIN_SENTENCE_CHARS:
            out.append(pending)
            pending = ""
    if pending:
        if out:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
