"""reports matched to an open case, kept so they can be split off into their own case

Revision ID: 0028
Revises: 0020
Create Date: 2026-12-03 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = '0028'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table only: ``cases`` is not rebuilt, so the perception trigger stays as it is.
    op.create_table(
        'case_incidents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reported_at', UTCDateTime(), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('reporter', sa.JSON(), nullable=True),
        sa.Column('code_on_case', sa.Boolean(), nullable=False),
        sa.Column('split_case_id', sa.Integer(), nullable=True),
        sa.Column('split_at', UTCDateTime(), nullable=True),
        sa.Column('split_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['split_case_id'], ['cases.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_incidents_case_id', 'case_incidents', ['case_id'])
    op.create_index('ix_case_incidents_split_case_id', 'case_incidents', ['split_case_id'])


def downgrade() -> None:
    op.drop_index('ix_case_incidents_split_case_id', table_name='case_incidents')
    op.drop_index('ix_case_incidents_case_id', table_name='case_incidents')
    op.drop_table('case_incidents')
