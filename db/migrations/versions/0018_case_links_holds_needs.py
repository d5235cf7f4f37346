"""case links, holds and people's needs: linked cases (and duplicates), a case on hold with its
review date, a person's vulnerabilities and communication needs

Revision ID: 0018
Revises: 0014 (after merging main; the number stays the one given to this branch)
Create Date: 2026-12-03 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0018'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'case_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('other_case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.CheckConstraint('case_id <> other_case_id', name='ck_case_links_not_self'),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['other_case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'other_case_id', name='uq_case_links_pair'),
    )
    op.create_index(op.f('ix_case_links_case_id'), 'case_links', ['case_id'], unique=False)
    op.create_index(op.f('ix_case_links_other_case_id'), 'case_links', ['other_case_id'], unique=False)
    op.create_table(
        'case_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('review_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('placed_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('placed_by', sa.String(length=200), nullable=False),
        sa.Column('lifted_at', db.types.UTCDateTime(), nullable=True),
        sa.Column('lifted_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_case_holds_case_id'), 'case_holds', ['case_id'], unique=False)
    op.create_table(
        'party_needs',
        sa.Column('party_id', sa.Integer(), nullable=False),
        sa.Column('vulnerabilities', sa.Text(), nullable=True),
        sa.Column('communication_needs', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('party_id'),
    )


def downgrade() -> None:
    op.drop_table('party_needs')
    op.drop_index(op.f('ix_case_holds_case_id'), table_name='case_holds')
    op.drop_table('case_holds')
    op.drop_index(op.f('ix_case_links_other_case_id'), table_name='case_links')
    op.drop_index(op.f('ix_case_links_case_id'), table_name='case_links')
    op.drop_table('case_links')
