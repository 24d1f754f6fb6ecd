"""canned_replies (shared and personal, one text per language) and conversation_labels

Revision ID: 0015_canned_replies
Revises: 0013
Create Date: 2026-12-03 19:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0015_canned_replies'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'canned_replies',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('shortcut', sa.String(32), nullable=False),
        sa.Column('title', sa.String(80), nullable=False),
        sa.Column('texts', JSON_TYPE, nullable=False),
        sa.Column('owner_agent_id', sa.Integer(), sa.ForeignKey('agents.id', ondelete='CASCADE'), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_canned_replies_shortcut', 'canned_replies', ['shortcut'])
    op.create_index('ix_canned_replies_owner_agent_id', 'canned_replies', ['owner_agent_id'])
    op.create_table(
        'conversation_labels',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('conversation_id', sa.Integer(),
                  sa.ForeignKey('conversations.id', ondelete='CASCADE'), nullable=False),
        sa.Column('label', sa.String(40), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('conversation_id', 'label', name='uq_conversation_labels'),
    )
    op.create_index('ix_conversation_labels_conversation_id', 'conversation_labels', ['conversation_id'])
    op.create_index('ix_conversation_labels_label', 'conversation_labels', ['label'])


def downgrade() -> None:
    op.drop_table('conversation_labels')
    op.drop_table('canned_replies')
