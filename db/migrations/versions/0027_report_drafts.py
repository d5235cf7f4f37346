"""the public report's drafts: answers kept on the server between its question pages

Revision ID: 0027
Revises: 0020
Create Date: 2026-12-03 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.types import UTCDateTime

revision: str = '0027'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'report_drafts',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('outcome', sa.JSON(), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_report_drafts_expires_at', 'report_drafts', ['expires_at'])
    op.create_table(
        'report_draft_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['report_drafts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_report_draft_files_draft_id', 'report_draft_files', ['draft_id'])


def downgrade() -> None:
    op.drop_index('ix_report_draft_files_draft_id', table_name='report_draft_files')
    op.drop_table('report_draft_files')
    op.drop_index('ix_report_drafts_expires_at', table_name='report_drafts')
    op.drop_table('report_drafts')
