"""case automatic steps: how many automatic steps a case took since when, to stop runaway loops

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_steps', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('auto_window_started_at', db.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('auto_window_started_at')
        batch_op.drop_column('auto_steps')
