"""faq_changes: the FAQ editor's change log (author, time, before/after, reverts)

Revision ID: 0018_faq_changes
Revises: 0014_desk_admin
Create Date: 2026-12-03 20:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0018_faq_changes'
down_revision: str | None = '0014_desk_admin'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'faq_changes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('entry_id', sa.String(80), nullable=False),
        sa.Column('lang', sa.String(8), nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('before', JSON_TYPE, nullable=True),
        sa.Column('after', JSON_TYPE, nullable=True),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('agents.id', ondelete='SET NULL'), nullable=True),
        sa.Column('author', sa.String(120), nullable=False),
        sa.Column('reverts_id', sa.Integer(), sa.ForeignKey('faq_changes.id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_faq_changes_entry_id_created_at', 'faq_changes', ['entry_id', 'created_at'])


def downgrade() -> None:
    op.drop_table('faq_changes')
