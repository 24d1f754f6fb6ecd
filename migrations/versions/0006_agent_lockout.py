"""agents: failed-login counter and lockout, disabled agents

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('agents', sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.add_column('agents', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('agents', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('agents') as batch:
        batch.drop_column('disabled_at')
        batch.drop_column('locked_until')
        batch.drop_column('failed_logins')
