"""rasa_tracker_outbox: pause/resume events for Rasa's tracker, persisted until Rasa accepted them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rasa_tracker_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_rasa_tracker_outbox_due', 'rasa_tracker_outbox', ['sent_at', 'conversation_id', 'id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_rasa_tracker_outbox_due', table_name='rasa_tracker_outbox')
    op.drop_table('rasa_tracker_outbox')
