"""contact details: contacts get email and phone (unique); contact events; active conversation per identity

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status != 'resolved'")


def upgrade() -> None:
    # Plain ALTER TABLE / CREATE INDEX on contacts and conversations: SQLite would otherwise rebuild
    # tables that other tables reference.
    op.add_column('contacts', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('contacts', sa.Column('phone', sa.String(length=32), nullable=True))
    op.create_index('uq_contacts_email', 'contacts', ['email'], unique=True)
    op.create_index('uq_contacts_phone', 'contacts', ['phone'], unique=True)
    # WhatsApp contacts known so far: their wa_id is their phone (digits with country code).
    op.execute(
        "UPDATE contacts SET phone = (SELECT MIN(i.source_id) FROM contact_identities i "
        "WHERE i.contact_id = contacts.id AND i.channel = 'whatsapp') "
        "WHERE phone IS NULL AND EXISTS (SELECT 1 FROM contact_identities i "
        "WHERE i.contact_id = contacts.id AND i.channel = 'whatsapp')"
    )
    op.drop_index('uq_conversation_active', table_name='conversations',
                  sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.create_index('uq_conversation_active', 'conversations', ['contact_id', 'channel', 'source_id'],
                    unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    with op.batch_alter_table('events') as batch:
        batch.alter_column('conversation_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_events_contact_id_contacts', 'contacts', ['contact_id'], ['id'])
        batch.create_index('ix_events_contact_id', ['contact_id'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM events WHERE conversation_id IS NULL")
    with op.batch_alter_table('events') as batch:
        batch.drop_index('ix_events_contact_id')
        batch.drop_constraint('fk_events_contact_id_contacts', type_='foreignkey')
        batch.drop_column('contact_id')
        batch.alter_column('conversation_id', existing_type=sa.Integer(), nullable=False)
    op.drop_index('uq_conversation_active', table_name='conversations',
                  sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.create_index('uq_conversation_active', 'conversations', ['contact_id', 'channel'],
                    unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.drop_index('uq_contacts_phone', table_name='contacts')
    op.drop_index('uq_contacts_email', table_name='contacts')
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('phone')
        batch.drop_column('email')
