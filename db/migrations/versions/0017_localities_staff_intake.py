"""localities kept by admins (with their renames); a case's locality and who keyed a staff-taken report

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-03 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0017'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Adding a foreign key on SQLite makes batch mode rebuild the cases table, which drops its
# triggers: the perception rule of migration 0004 is created again after each rebuild.
SQLITE_PERCEPTION_RULE = """
CREATE TRIGGER cases_perception_rule BEFORE UPDATE OF hate_perceived ON cases
WHEN OLD.hate_perceived AND NOT NEW.hate_perceived
BEGIN SELECT RAISE(ABORT, 'perception rule: a case perceived as hate-motivated cannot be downgraded'); END
"""


def _keep_sqlite_triggers() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS cases_perception_rule')
        op.execute(SQLITE_PERCEPTION_RULE)


def upgrade() -> None:
    op.create_table(
        'localities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('postcodes', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'locality_renames',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('locality_id', sa.Integer(), nullable=False),
        sa.Column('old_name', sa.String(length=120), nullable=False),
        sa.Column('new_name', sa.String(length=120), nullable=False),
        sa.Column('renamed_at', db.types.UTCDateTime(), nullable=False),
        sa.Column('renamed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['locality_id'], ['localities.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['renamed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('locality_renames', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locality_renames_locality_id'), ['locality_id'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locality_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('keyed_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_locality_id'), ['locality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_keyed_by_id'), ['keyed_by_id'], unique=False)
        batch_op.create_foreign_key('fk_cases_locality_id', 'localities', ['locality_id'], ['id'])
        batch_op.create_foreign_key('fk_cases_keyed_by_id', 'users', ['keyed_by_id'], ['id'])
    _keep_sqlite_triggers()


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_keyed_by_id', type_='foreignkey')
        batch_op.drop_constraint('fk_cases_locality_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_keyed_by_id'))
        batch_op.drop_index(batch_op.f('ix_cases_locality_id'))
        batch_op.drop_column('keyed_by_id')
        batch_op.drop_column('locality_id')
    _keep_sqlite_triggers()
    with op.batch_alter_table('locality_renames', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locality_renames_locality_id'))
    op.drop_table('locality_renames')
    op.drop_table('localities')
