"""case actions and letters: the action plan, edited letter templates, letters as PDFs, mail attachments

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0016'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'case_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('due_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('agreed_with_victim', sa.Boolean(), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('closed_at', db.types.UTCDateTime(), nullable=True),
        sa.Column('closed_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_actions_case_id', 'case_actions', ['case_id'], unique=False)
    op.create_index(
        'ix_case_actions_owner_status_due', 'case_actions', ['owner_id', 'status', 'due_at'], unique=False
    )
    op.create_table(
        'letter_templates',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('recipient', sa.String(length=40), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_outbox_document_id', 'case_documents', ['document_id'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_document_id', type_='foreignkey')
        batch_op.drop_column('document_id')
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_column('recipient')
        batch_op.drop_column('pdf')
    op.drop_table('letter_templates')
    op.drop_index('ix_case_actions_owner_status_due', table_name='case_actions')
    op.drop_index('ix_case_actions_case_id', table_name='case_actions')
    op.drop_table('case_actions')
