"""surveys and follow_ups (CSAT/NPS in the channel, bad ratings for supervisors); conversations by status and age

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:10:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('conversation_id', sa.Integer(),
                  sa.ForeignKey('conversations.id', ondelete='CASCADE'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contacts.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('then_nps', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_surveys_conversation_id_state', 'surveys', ['conversation_id', 'state'])
    op.create_index('ix_surveys_contact_id_kind_sent_at', 'surveys', ['contact_id', 'kind', 'sent_at'])
    op.create_index('ix_surveys_state_sent_at', 'surveys', ['state', 'sent_at'])
    op.create_table(
        'follow_ups',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('conversation_id', sa.Integer(),
                  sa.ForeignKey('conversations.id', ondelete='CASCADE'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contacts.id', ondelete='CASCADE'), nullable=False),
        sa.Column('survey_id', sa.Integer(), sa.ForeignKey('surveys.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_follow_ups_conversation_id', 'follow_ups', ['conversation_id'])
    op.create_index('ix_follow_ups_contact_id', 'follow_ups', ['contact_id'])
    op.create_index('ix_follow_ups_survey_id', 'follow_ups', ['survey_id'])
    op.create_index('ix_follow_ups_done_at_id', 'follow_ups', ['done_at', 'id'])
    op.create_index('ix_conversations_status_updated_at', 'conversations', ['status', 'updated_at'])


def downgrade() -> None:
    op.drop_index('ix_conversations_status_updated_at', table_name='conversations')
    op.drop_table('follow_ups')
    op.drop_table('surveys')
