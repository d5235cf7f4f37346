"""case labels for the indicators' SQL grouping; a case's last activity kept by a trigger, and
timeline entries indexed by case and time, for stuck work

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0025'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A case's last activity: the newest timeline entry written by a person (the system's own
# entries, a timer firing or a task created, are not activity). Rows of the timeline are only
# ever added, so each new one can only move it later.
BACKFILL = (
    "UPDATE cases SET last_activity_at = (SELECT max(t.at) FROM timeline_events t "
    "WHERE t.case_id = cases.id AND t.actor <> 'system')"
)
SQLITE = (
    "CREATE TRIGGER timeline_events_activity AFTER INSERT ON timeline_events "
    "WHEN new.actor <> 'system' BEGIN "
    "UPDATE cases SET last_activity_at = new.at WHERE id = new.case_id "
    "AND (last_activity_at IS NULL OR last_activity_at < new.at); END",
)
SQLITE_PERCEPTION_RULE = """
CREATE TRIGGER cases_perception_rule BEFORE UPDATE OF hate_perceived ON cases
WHEN OLD.hate_perceived AND NOT NEW.hate_perceived
BEGIN SELECT RAISE(ABORT, 'perception rule: a case perceived as hate-motivated cannot be downgraded'); END
"""
POSTGRESQL = (
    "CREATE FUNCTION cases_note_activity() RETURNS trigger AS $$ BEGIN "
    "UPDATE cases SET last_activity_at = NEW.at WHERE id = NEW.case_id "
    "AND (last_activity_at IS NULL OR last_activity_at < NEW.at); RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER timeline_events_activity AFTER INSERT ON timeline_events FOR EACH ROW "
    "WHEN (NEW.actor <> 'system') EXECUTE FUNCTION cases_note_activity()",
)


def upgrade() -> None:
    op.create_table(
        'case_labels',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id', 'kind', 'value'),
    )
    op.create_index('ix_case_labels_kind_value', 'case_labels', ['kind', 'value', 'case_id'], unique=False)
    _backfill()
    op.create_index('ix_timeline_events_case_at', 'timeline_events', ['case_id', 'at'], unique=False)
    # Not batch mode: adding a column on SQLite must not rebuild cases (its triggers would go).
    op.add_column('cases', sa.Column('last_activity_at', db.types.UTCDateTime(), nullable=True))
    op.execute(BACKFILL)
    for statement in SQLITE if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL:
        op.execute(statement)


def _backfill() -> None:
    """Label every existing case from its ``incident_types`` and ``strands`` (JSON lists)."""
    from db import case_labels

    case_labels.rebuild_all(op.get_bind())


def downgrade() -> None:
    op.execute('DROP TRIGGER IF EXISTS timeline_events_activity' + (
        '' if op.get_bind().dialect.name == 'sqlite' else ' ON timeline_events'
    ))
    if op.get_bind().dialect.name != 'sqlite':
        op.execute('DROP FUNCTION IF EXISTS cases_note_activity()')
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_column('last_activity_at')
    if op.get_bind().dialect.name == 'sqlite':  # the rebuild dropped it, as in 0017
        op.execute('DROP TRIGGER IF EXISTS cases_perception_rule')
        op.execute(SQLITE_PERCEPTION_RULE)
    op.drop_index('ix_timeline_events_case_at', table_name='timeline_events')
    op.drop_index('ix_case_labels_kind_value', table_name='case_labels')
    op.drop_table('case_labels')
