"""learning_signals, learning_feedback_asks: customer feedback on FAQ answers, agents' labels, implicit signals

Revision ID: 0019_signals
Revises: 0018_faq_changes
Create Date: 2026-12-03 20:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0019_signals'
down_revision: str | None = '0018_faq_changes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'learning_signals',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(24), nullable=False),
        sa.Column('strength', sa.String(12), nullable=False),
        sa.Column('conversation_id', sa.Integer(), sa.ForeignKey('conversations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contacts.id', ondelete='CASCADE'), nullable=True),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('agents.id', ondelete='SET NULL'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('language', sa.String(8), nullable=False),
        sa.Column('decision', sa.String(16), nullable=True),
        sa.Column('entry_id', sa.String(200), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('kb', _JSON, nullable=True),
        sa.Column('expected', sa.String(200), nullable=True),
    )
    op.create_index('ix_learning_signals_message_id_kind', 'learning_signals', ['message_id', 'kind'])
    op.create_index('ix_learning_signals_strength_id', 'learning_signals', ['strength', 'id'])
    op.create_index('ix_learning_signals_conversation_id', 'learning_signals', ['conversation_id'])
    op.create_index('ix_learning_signals_contact_id', 'learning_signals', ['contact_id'])
    op.create_table(
        'learning_feedback_asks',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('conversation_id', sa.Integer(), sa.ForeignKey('conversations.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
        sa.Column('question_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='SET NULL'), nullable=True),
        sa.Column('why', sa.String(12), nullable=False),
        sa.Column('state', sa.String(12), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_learning_feedback_asks_conversation_id_state', 'learning_feedback_asks',
                    ['conversation_id', 'state'])
    op.create_index('ix_learning_feedback_asks_message_id', 'learning_feedback_asks', ['message_id'])
    op.create_index('ix_learning_feedback_asks_question_id', 'learning_feedback_asks', ['question_id'])


def downgrade() -> None:
    op.drop_index('ix_learning_feedback_asks_question_id', table_name='learning_feedback_asks')
    op.drop_index('ix_learning_feedback_asks_message_id', table_name='learning_feedback_asks')
    op.drop_index('ix_learning_feedback_asks_conversation_id_state', table_name='learning_feedback_asks')
    op.drop_table('learning_feedback_asks')
    op.drop_index('ix_learning_signals_contact_id', table_name='learning_signals')
    op.drop_index('ix_learning_signals_conversation_id', table_name='learning_signals')
    op.drop_index('ix_learning_signals_strength_id', table_name='learning_signals')
    op.drop_index('ix_learning_signals_message_id_kind', table_name='learning_signals')
    op.drop_table('learning_signals')
