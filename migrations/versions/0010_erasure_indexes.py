"""indexes on the foreign keys an erasure deletes through (messages.contact_id, messages.in_reply_to_id,
events.message_id, channel_outbox.conversation_id, handoffs.message_id, rasa_tracker_outbox.conversation_id):
without them the database checks each deleted row by scanning the whole referencing table

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:55:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ('ix_messages_contact_id', 'messages', 'contact_id'),
    ('ix_messages_in_reply_to_id', 'messages', 'in_reply_to_id'),
    ('ix_events_message_id', 'events', 'message_id'),
    ('ix_channel_outbox_conversation_id', 'channel_outbox', 'conversation_id'),
    ('ix_handoffs_message_id', 'handoffs', 'message_id'),
    ('ix_rasa_tracker_outbox_conversation_id', 'rasa_tracker_outbox', 'conversation_id'),
]


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _column in reversed(INDEXES):
        op.drop_index(name, table_name=table)
