"""channel outbox (persisted WhatsApp sends) and messages.delivery_error

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:25:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channel_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('payload', JSON_TYPE, nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('delivery', sa.String(length=16), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('error', JSON_TYPE, nullable=True),
    sa.Column('channel_message_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'part', name='uq_outbox_message_part')
    )
    with op.batch_alter_table('channel_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_channel_outbox_channel_message_id', ['channel_message_id'], unique=False)
        batch_op.create_index('ix_channel_outbox_state_due', ['state', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_error', JSON_TYPE, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('delivery_error')

    with op.batch_alter_table('channel_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_outbox_state_due')
        batch_op.drop_index('ix_channel_outbox_channel_message_id')

    op.drop_table('channel_outbox')
