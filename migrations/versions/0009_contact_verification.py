"""contact verification: identities and contact details say whether they are proven; only proven
emails/phones are unique; suggested links between contacts (issue 15, finding 2)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every identity so far comes from a channel that proves it (WhatsApp, widget session, api key).
    op.add_column('contact_identities', sa.Column('verified', sa.Boolean(), nullable=False,
                                                  server_default=sa.true()))
    op.add_column('contacts', sa.Column('email_verified', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column('contacts', sa.Column('phone_verified', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    # A phone is proven when the contact writes from that number on WhatsApp; emails were all typed.
    op.execute(
        "UPDATE contacts SET phone_verified = TRUE WHERE EXISTS (SELECT 1 FROM contact_identities i "
        "WHERE i.contact_id = contacts.id AND i.channel = 'whatsapp' AND i.source_id = contacts.phone)"
    )
    for key in ('email', 'phone'):
        op.drop_index(f'uq_contacts_{key}', table_name='contacts')
        op.create_index(f'uq_contacts_{key}', 'contacts', [key], unique=True,
                        sqlite_where=sa.text(f'{key}_verified'),
                        postgresql_where=sa.text(f'{key}_verified'))
        op.create_index(f'ix_contacts_{key}', 'contacts', [key])
    op.create_table(
        'contact_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('other_contact_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=8), nullable=False),
        sa.Column('value', sa.String(length=254), nullable=False),
        sa.Column('other_verified', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['other_contact_id'], ['contacts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contact_links_contact_id', 'contact_links', ['contact_id'])
    op.create_index('ix_contact_links_other_contact_id', 'contact_links', ['other_contact_id'])


def downgrade() -> None:
    op.drop_index('ix_contact_links_other_contact_id', table_name='contact_links')
    op.drop_index('ix_contact_links_contact_id', table_name='contact_links')
    op.drop_table('contact_links')
    for key in ('email', 'phone'):
        op.drop_index(f'ix_contacts_{key}', table_name='contacts')
        op.drop_index(f'uq_contacts_{key}', table_name='contacts')
        op.create_index(f'uq_contacts_{key}', 'contacts', [key], unique=True)
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('phone_verified')
        batch.drop_column('email_verified')
    with op.batch_alter_table('contact_identities') as batch:
        batch.drop_column('verified')
