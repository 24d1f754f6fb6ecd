"""learning_runs, learning_examples: each learning run (labels used, before/after, kept or rolled back)
and the examples it learned (an admin may remove one)

Revision ID: 0020_learning_runs
Revises: 0021_knowledge_gaps
Create Date: 2026-12-04 05:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0020_learning_runs'
down_revision: str | None = '0021_knowledge_gaps'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'learning_runs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('trigger', sa.String(40), nullable=False),
        sa.Column('outcome', sa.String(16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('label_ids', _JSON, nullable=False),
        sa.Column('before', _JSON, nullable=False),
        sa.Column('after', _JSON, nullable=False),
        sa.Column('held_out', _JSON, nullable=False),
    )
    op.create_table(
        'learning_examples',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('learning_runs.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('signal_id', sa.Integer(), sa.ForeignKey('learning_signals.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('expected', sa.String(200), nullable=True),
        sa.Column('language', sa.String(8), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_by', sa.Integer(), sa.ForeignKey('agents.id', ondelete='SET NULL'), nullable=True),
    )
    op.create_index('ix_learning_examples_signal_id', 'learning_examples', ['signal_id'])
    op.create_index('ix_learning_examples_run_id', 'learning_examples', ['run_id'])


def downgrade() -> None:
    op.drop_index('ix_learning_examples_run_id', table_name='learning_examples')
    op.drop_index('ix_learning_examples_signal_id', table_name='learning_examples')
    op.drop_table('learning_examples')
    op.drop_table('learning_runs')
