"""case search: an index of names, addresses, postcodes and references per case; recently viewed

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0014'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite searches an FTS5 table with the trigram tokenizer (LIKE '%word%' uses it), kept equal to
# case_search by triggers; rowid is the case id.
SQLITE = (
    "CREATE VIRTUAL TABLE case_search_fts USING fts5(terms, tokenize='trigram')",
    "CREATE TRIGGER case_search_fts_insert AFTER INSERT ON case_search BEGIN "
    "INSERT INTO case_search_fts(rowid, terms) VALUES (new.case_id, new.terms); END",
    "CREATE TRIGGER case_search_fts_delete AFTER DELETE ON case_search BEGIN "
    "DELETE FROM case_search_fts WHERE rowid = old.case_id; END",
    "CREATE TRIGGER case_search_fts_update AFTER UPDATE ON case_search BEGIN "
    "DELETE FROM case_search_fts WHERE rowid = old.case_id; "
    "INSERT INTO case_search_fts(rowid, terms) VALUES (new.case_id, new.terms); END",
)
POSTGRESQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_case_search_terms_trgm ON case_search USING gin (terms gin_trgm_ops)",
)


def upgrade() -> None:
    op.create_table(
        'case_search',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id'),
    )
    op.create_table(
        'case_views',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('viewed_at', db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'case_id'),
    )
    with op.batch_alter_table('case_views', schema=None) as batch_op:
        batch_op.create_index('ix_case_views_user_viewed', ['user_id', 'viewed_at'], unique=False)
    # Plain CREATE INDEX, not batch mode: rebuilding the cases table would drop its triggers.
    op.create_index('ix_cases_reported_at', 'cases', ['reported_at'], unique=False)
    op.create_index('ix_cases_updated_at', 'cases', ['updated_at'], unique=False)
    op.create_index('ix_tasks_completed_by', 'tasks', ['completed_by_id'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == 'sqlite' else POSTGRESQL if dialect == 'postgresql' else ():
        op.execute(statement)
    # The cases already there: the same code that keeps the index current fills it.
    from db import search_index

    search_index.rebuild_all(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS case_search_fts")
    op.drop_index('ix_tasks_completed_by', table_name='tasks')
    op.drop_index('ix_cases_updated_at', table_name='cases')
    op.drop_index('ix_cases_reported_at', table_name='cases')
    with op.batch_alter_table('case_views', schema=None) as batch_op:
        batch_op.drop_index('ix_case_views_user_viewed')
    op.drop_table('case_views')
    op.drop_table('case_search')
