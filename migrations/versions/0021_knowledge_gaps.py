"""knowledge_gaps_handled: unanswered customer questions an FAQ entry was published for (the gap report)

Revision ID: 0021_knowledge_gaps
Revises: 0019_signals
Create Date: 2026-12-04 05:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021_knowledge_gaps'
down_revision: str | None = '0019_signals'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'knowledge_gaps_handled',
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('entry_id', sa.String(80), nullable=False),
        sa.Column('lang', sa.String(8), nullable=False),
        sa.Column('change_id', sa.Integer(), sa.ForeignKey('faq_changes.id', ondelete='SET NULL'), nullable=True),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('agents.id', ondelete='SET NULL'), nullable=True),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('knowledge_gaps_handled')
