"""agents.role (agent | supervisor; existing agents are agents); erasures: the anonymous record of
each deletion of personal data (who, when, what was counted; no personal data)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:10:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('agents', sa.Column('role', sa.String(length=16), nullable=False,
                                      server_default='agent'))
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('conversation_ids', JSON_TYPE, nullable=False),
    sa.Column('counts', JSON_TYPE, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_erasures_contact_id', 'erasures', ['contact_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_erasures_contact_id', table_name='erasures')
    op.drop_table('erasures')
    with op.batch_alter_table('agents') as batch:
        batch.drop_column('role')
