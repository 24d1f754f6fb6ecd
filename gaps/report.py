"""From unanswered questions to the report: clusters per language, ranked by volume, each with its
representative, trend, examples, the agents' replies, and the draft entry it suggests. Masked throughout."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from gaps.cluster import cluster_vectors
from gaps.collect import Question
from gaps.embedding import Vectors
from gaps.masking import mask
from gaps.schemas import (
    ClusterOut,
    DraftOut,
    EntryDraftOut,
    ExampleOut,
    HandledOut,
    ReplyOut,
    TrendOut,
)  # fmt: skip

__all__ = ["Cluster", "build", "draft_of", "view"]

_PLACEHOLDER = re.compile(r"\[(?:DNI|NIE|IBAN|CARD|PHONE|EMAIL|ADDRESS|ORDER|ID|NUMBER)\]")
EXAMPLES = 8
MAX_ALTERNATIVES = 30
WEEKS = 8


@dataclass
class Cluster:
    lang: str
    questions: list[Question]  # representative first, then closest to it

    @property
    def id(self) -> int:
        return self.questions[0].message_id

    @property
    def open(self) -> int:
        return sum(1 for q in self.questions if q.handled is None)


def build(questions: list[Question], vectors: Vectors, distance: float) -> list[Cluster]:
    """Clusters per language, the most open questions first (then the largest, then the newest)."""
    by_lang: dict[str, list[Question]] = {}
    for q in questions:
        by_lang.setdefault(q.lang, []).append(q)
    clusters: list[Cluster] = []
    for lang, mine in sorted(by_lang.items()):
        found = vectors.of([mask(q.text) for q in mine], lang)
        clusters += [Cluster(lang, [mine[i] for i in g.members]) for g in cluster_vectors(found, distance)]
    return sorted(
        clusters,
        key=lambda c: (-c.open, -len(c.questions), -max(q.created_at for q in c.questions).timestamp()),
    )


def _key(text: str) -> str:
    """Case, accents, punctuation and spacing ignored: the same wording."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\[\]]+", " ", plain).split())


def _wordings(cluster: Cluster) -> list[str]:
    seen: dict[str, str] = {}
    for q in cluster.questions:
        text = " ".join(mask(q.text).split())
        seen.setdefault(_key(text), text)
    return list(seen.values())


def _replies(cluster: Cluster) -> list[ReplyOut]:
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for q in cluster.questions:
        if q.reply:
            text = mask(q.reply.strip())
            counts[_key(text)] += 1
            first.setdefault(_key(text), text)
    return [ReplyOut(text=first[k], count=n) for k, n in counts.most_common()]


def _trend(cluster: Cluster, now: datetime) -> TrendOut:
    ages = [(now - q.created_at) for q in cluster.questions]
    weeks = [0] * WEEKS
    for age in ages:
        week = int(age.total_seconds() // (7 * 86400))
        if 0 <= week < WEEKS:
            weeks[WEEKS - 1 - week] += 1
    return TrendOut(
        last_7_days=sum(1 for a in ages if a < timedelta(days=7)),
        previous_7_days=sum(1 for a in ages if timedelta(days=7) <= a < timedelta(days=14)),
        weeks=weeks,
    )


def _handled(cluster: Cluster) -> HandledOut | None:
    marks = [q.handled for q in cluster.questions]
    if any(h is None for h in marks):
        return None
    last = max((h for h in marks if h is not None), key=lambda h: h.handled_at)
    return HandledOut(
        entry_id=last.entry_id, lang=last.lang, change_id=last.change_id, handled_at=last.handled_at
    )


def view(cluster: Cluster, now: datetime) -> ClusterOut:
    newest_first = sorted(cluster.questions, key=lambda q: q.created_at, reverse=True)
    examples = [cluster.questions[0], *[q for q in newest_first if q is not cluster.questions[0]]][:EXAMPLES]
    return ClusterOut(
        id=cluster.id,
        lang=cluster.lang,
        representative=" ".join(mask(cluster.questions[0].text).split()),
        size=len(cluster.questions),
        open=cluster.open,
        why=dict(Counter(q.why for q in cluster.questions).most_common()),
        first_seen=min(q.created_at for q in cluster.questions),
        last_seen=max(q.created_at for q in cluster.questions),
        trend=_trend(cluster, now),
        questions=_wordings(cluster),
        examples=[
            ExampleOut(
                message_id=q.message_id,
                conversation_id=q.conversation_id,
                text=mask(q.text),
                created_at=q.created_at,
                why=q.why,
                reply=mask(q.reply) if q.reply else None,
                link=f"/agent#conversation={q.conversation_id}",
            )
            for q in examples
        ],
        replies=_replies(cluster),
        handled=_handled(cluster),
    )


def draft_of(cluster: Cluster) -> DraftOut:
    """The representative question as the entry's question, the other wordings as its alternatives, the
    agents' most used reply as the answer to edit. No id or category: the editor proposes them. Wordings with
    masked personal data are left out (the representative too: the next clean wording is the question)
    unless every wording has some."""
    # a wording with masked personal data ("mi pedido [ORDER]...") is a poor FAQ phrasing: the clean ones
    # first, the masked ones only when there is nothing else
    wordings = _wordings(cluster)
    clean = [w for w in wordings if not _PLACEHOLDER.search(w)]
    wordings = clean or wordings
    replies = _replies(cluster)
    return DraftOut(
        cluster=cluster.id,
        entry=EntryDraftOut(
            id="",
            lang=cluster.lang,
            question=wordings[0],
            alt_questions=wordings[1 : 1 + MAX_ALTERNATIVES],
            answer=replies[0].text if replies else "",
            category="",
            url=None,
        ),
        message_ids=[q.message_id for q in cluster.questions],
    )
