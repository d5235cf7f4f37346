"""each answer stored once: completed tasks' timeline lines no longer copy the answers

A completed task's answers are its row's (``tasks.submitted``); the timeline line refers to the
task by ``task_id``. The copies earlier lines carry (``details.data``) are removed; a scored
task's score and band stay. Downgrading leaves the lines as they are: the answers are in the
task rows.

Revision ID: 0026
Revises: 0020
Create Date: 2026-12-03 18:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0026'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE timeline_events SET details = (details::jsonb - 'data')::json "
            "WHERE kind = 'task_completed' AND details::jsonb -> 'data' IS NOT NULL"
        )
    else:
        op.execute(
            "UPDATE timeline_events SET details = json_remove(details, '$.data') "
            "WHERE kind = 'task_completed' AND json_type(details, '$.data') IS NOT NULL"
        )


def downgrade() -> None:
    pass
