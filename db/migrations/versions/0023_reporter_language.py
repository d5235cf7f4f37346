"""the reporter's language, kept with their report

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-03 15:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain added column with a default: SQLite adds it in place (no table rebuild).
    op.add_column(
        'reporter_details',
        sa.Column('language', sa.String(length=10), server_default='en', nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table('reporter_details') as batch_op:
        batch_op.drop_column('language')
