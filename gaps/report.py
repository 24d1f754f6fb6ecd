"""From unanswered questions to the report: clusters per language, grouped into topics (the same tree cut
higher), ranked by volume, each with its representative, trend, examples, the agents' replies, and the draft
entry it suggests (from the sub-groups the lead kept ticked). Masked throughout."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from gaps.cluster import cluster_vectors, topics_of
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
    SubGroupOut,
    TopicOut,
    TrendOut,
)  # fmt: skip

__all__ = [
    "Cluster",
    "Topic",
    "build",
    "build_topics",
    "clusters_of",
    "draft_of",
    "joined",
    "tidy_question",
    "topic_view",
    "view",
]

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


@dataclass
class Topic:
    lang: str
    clusters: list[Cluster]  # the largest first
    distances: list[float]  # each one's average cosine distance to the largest

    @property
    def whole(self) -> Cluster:
        return joined(self.clusters)


def joined(clusters: list[Cluster]) -> Cluster:
    """Clusters as one: the largest one's questions first (its representative leads), then the others'."""
    first = max(clusters, key=lambda c: len(c.questions))
    rest = [q for c in clusters if c is not first for q in c.questions]
    return Cluster(first.lang, [*first.questions, *rest])


def _rank(c: Cluster) -> tuple[int, int, float]:
    return (-c.open, -len(c.questions), -max(q.created_at for q in c.questions).timestamp())


def build_topics(
    questions: list[Question], vectors: Vectors, distance: float, topic_distance: float = 0.0
) -> list[Topic]:
    """Topics per language, the most open questions first (then the largest, then the newest); 0: every
    cluster its own topic."""
    by_lang: dict[str, list[Question]] = {}
    for q in questions:
        by_lang.setdefault(q.lang, []).append(q)
    topics: list[Topic] = []
    for lang, mine in sorted(by_lang.items()):
        found = vectors.of([mask(q.text) for q in mine], lang)
        for t in topics_of(found, cluster_vectors(found, distance), topic_distance):
            clusters = [Cluster(lang, [mine[i] for i in g.members]) for g in t.groups]
            topics.append(Topic(lang, clusters, list(t.distances)))
    return sorted(topics, key=lambda t: _rank(t.whole))


def build(questions: list[Question], vectors: Vectors, distance: float) -> list[Cluster]:
    """Clusters per language, the most open questions first (then the largest, then the newest)."""
    return clusters_of(build_topics(questions, vectors, distance))


def clusters_of(topics: list[Topic]) -> list[Cluster]:
    return sorted((c for t in topics for c in t.clusters), key=_rank)


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


def topic_view(topic: Topic, now: datetime) -> TopicOut:
    subs = [
        SubGroupOut(
            id=c.id,
            representative=" ".join(mask(c.questions[0].text).split()),
            size=len(c.questions),
            open=c.open,
            questions=_wordings(c),
            distance=round(d, 4),
            handled=_handled(c),
        )
        for c, d in zip(topic.clusters, topic.distances, strict=True)
    ]
    return TopicOut(**view(topic.whole, now).model_dump(), sub_groups=subs)


def tidy_question(text: str, lang: str) -> str:
    """A customer's wording as an FAQ question, as the bot will quote it («Sobre «…»: …»): one space between
    words, a capital first letter, and in Spanish the opening «¿» of a question that ends in «?»
    ("se puede pagar a plazos?" -> "¿Se puede pagar a plazos?"). Nothing else is rewritten."""
    tidy = " ".join(text.split())
    opening = "¿" if lang == "es" and tidy.endswith("?") and not tidy.startswith("¿") else ""
    start = 1 if tidy.startswith("¿") else 0
    tidy = tidy[:start] + tidy[start : start + 1].upper() + tidy[start + 1 :]
    return opening + tidy


def draft_of(cluster: Cluster, sub_groups: list[Cluster] | None = None) -> DraftOut:
    """The representative question as the entry's question, the other wordings as its alternatives, the
    agents' most used reply as the answer to edit. No id or category: the editor proposes them. Wordings with
    masked personal data are left out (the representative too: the next clean wording is the question)
    unless every wording has some. ``sub_groups`` (the ticked ones): drafted from them together instead, the
    largest one's representative as the question."""
    if sub_groups:
        cluster = joined(sub_groups)
        ids = [c.id for c in sorted(sub_groups, key=lambda c: -len(c.questions))]
    else:
        ids = [cluster.id]
    # a wording with masked personal data ("mi pedido [ORDER]...") is a poor FAQ phrasing: the clean ones
    # first, the masked ones only when there is nothing else
    wordings = _wordings(cluster)
    clean = [w for w in wordings if not _PLACEHOLDER.search(w)]
    wordings = clean or wordings
    replies = _replies(cluster)
    question = tidy_question(wordings[0], cluster.lang)  # the same question to the index and the editor
    alternatives = wordings[1:]
    return DraftOut(
        cluster=cluster.id,
        entry=EntryDraftOut(
            id="",
            lang=cluster.lang,
            question=question,
            alt_questions=alternatives[:MAX_ALTERNATIVES],
            answer=replies[0].text if replies else "",
            category="",
            url=None,
        ),
        message_ids=[q.message_id for q in cluster.questions],
        sub_groups=ids,
    )
