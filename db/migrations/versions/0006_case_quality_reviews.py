"""case quality reviews: a supervisor's score (1 to 5) and comments on a case

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('created_at', db.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name='ck_case_reviews_score'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reviews_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reviews_reviewer_id'), ['reviewer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reviews_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_case_reviews_case_id'))

    op.drop_table('case_reviews')
