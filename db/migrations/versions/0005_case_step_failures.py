"""case step failures: a background step (a timer firing) that failed, in plain words

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_failed_at', db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('step_failure', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_step_failed_at'), ['step_failed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_step_failed_at'))
        batch_op.drop_column('step_failure')
        batch_op.drop_column('step_failed_at')
