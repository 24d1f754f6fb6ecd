"""agents.password_temporary: a password an admin set (create, reset) that the agent must replace

Revision ID: 0014_desk_admin
Revises: 0016_media
Create Date: 2026-12-03 19:35:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014_desk_admin'
down_revision: str | None = '0016_media'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('agents', sa.Column('password_temporary', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('agents') as batch:
        batch.drop_column('password_temporary')
