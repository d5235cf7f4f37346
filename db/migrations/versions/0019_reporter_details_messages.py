"""reporter details (safe to contact, how, needs, tracking code hash) and messages sent to them

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0019'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reporter_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reporter_is', sa.String(length=20), nullable=False),
    sa.Column('safe_to_contact', sa.Boolean(), nullable=True),
    sa.Column('contact_methods', sa.JSON(), nullable=False),
    sa.Column('contact_times', sa.String(length=500), nullable=True),
    sa.Column('contact_through', sa.String(length=500), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('interpreter_language', sa.String(length=100), nullable=True),
    sa.Column('tracking_hash', sa.String(length=200), nullable=True),
    sa.Column('tracking_set_at', db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_table('reporter_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', db.types.UTCDateTime(), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reporter_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporter_messages_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reporter_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporter_messages_case_id'))
    op.drop_table('reporter_messages')
    op.drop_table('reporter_details')
