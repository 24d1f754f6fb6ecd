"""media_files: photos, audio, video, documents and stickers customers send on WhatsApp, kept for agents

Revision ID: 0016_media
Revises: 0015_canned_replies
Create Date: 2026-12-03 19:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0016_media'
down_revision: str | None = '0015_canned_replies'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'media_files',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('error', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
        sa.Column('mime_type', sa.String(255), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(64), nullable=True),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('message_id', name='uq_media_files_message_id'),
    )


def downgrade() -> None:
    op.drop_table('media_files')
