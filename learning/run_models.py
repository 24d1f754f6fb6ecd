"""Tables of the learning runs (``python -m learning learn``): one row per run, one per learned example."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

import learning.models  # noqa: F401  (the signals a learned example points at, on Base.metadata)
from hub.models import Base, JSONType, utcnow

__all__ = ["LearnedExample", "LearningRun", "Outcome"]


class Outcome(StrEnum):
    RUNNING = "running"
    KEPT = "kept"  # held-out quality not worse: the new index serves
    ROLLED_BACK = "rolled_back"  # worse: nothing written, the old index serves
    NOTHING_NEW = "nothing_new"  # no new labels (an index rebuilt for removed examples says so)
    FAILED = "failed"  # an error (the old index serves)


class LearningRun(Base):
    __tablename__ = "learning_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    #: who or what started it: ``cli`` (by hand), ``cron``, ...
    trigger: Mapped[str] = mapped_column(sa.String(40))
    outcome: Mapped[str] = mapped_column(sa.String(16), default=Outcome.RUNNING)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: the ids of the labels (learning_signals) the run judged
    label_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: per held-out group (``known``, ``new``): n, in_scope, correct, wrong, clarify, handoff
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)
    held_out: Mapped[dict[str, Any]] = mapped_column(default=dict)


class LearnedExample(Base):
    """A label a kept run turned into an example of its entry (``expected`` None: out of scope)."""

    __tablename__ = "learning_examples"
    __table_args__ = (sa.Index("ix_learning_examples_signal_id", "signal_id"),
                      sa.Index("ix_learning_examples_run_id", "run_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("learning_runs.id", ondelete="CASCADE"))
    #: the label it came from; an erased conversation or a label taken back takes the example with it
    signal_id: Mapped[int] = mapped_column(sa.ForeignKey("learning_signals.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text)
    expected: Mapped[str | None] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column()
    removed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"))
