"""handoff desk: agents, agent login tokens; handoffs get priority, language, skill, state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('languages', JSON_TYPE, nullable=False),
    sa.Column('skills', JSON_TYPE, nullable=False),
    sa.Column('max_concurrent', sa.Integer(), nullable=False),
    sa.Column('last_assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('agent_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_agent_tokens_agent_id'), 'agent_tokens', ['agent_id'], unique=False)
    with op.batch_alter_table('handoffs') as batch:
        batch.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('skill', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('state', sa.String(length=16), nullable=False, server_default='waiting'))
        batch.add_column(sa.Column('ended_reason', sa.String(length=24), nullable=True))
        batch.create_index('ix_handoffs_state_priority', ['state', 'priority', 'requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handoffs') as batch:
        batch.drop_index('ix_handoffs_state_priority')
        batch.drop_column('ended_reason')
        batch.drop_column('state')
        batch.drop_column('skill')
        batch.drop_column('language')
        batch.drop_column('priority')
    op.drop_index(op.f('ix_agent_tokens_agent_id'), table_name='agent_tokens')
    op.drop_table('agent_tokens')
    op.drop_table('agents')
