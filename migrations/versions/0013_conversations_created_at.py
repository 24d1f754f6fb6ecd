"""index on conversations.created_at: a report (kpis/) finds the conversations of its period without
reading every conversation, and the ids that bound its messages and events

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_conversations_created_at', 'conversations', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_conversations_created_at', table_name='conversations')
