"""when each action was added to its plan

Movement since the last meeting calls an action "new" when it was not there at the meeting.
Without a creation time an action added after the meeting to a plan that existed then
counted as there all along. New actions get the moment they are added; existing ones are
backfilled with the earlier of their plan's creation and their first update (an import's
updates can be older than the plan that holds them).

Revision ID: 0010_action_created_at
Revises: 0009_board_next_plan_at
Create Date: 2026-12-02 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_action_created_at"
down_revision = "0009_board_next_plan_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("action", sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE action SET created_at = "
        "(SELECT plan.created_at FROM plan WHERE plan.id = action.plan_id)"
    )
    op.execute(
        "UPDATE action SET created_at = ("
        "  SELECT MIN(progress_update.at) FROM progress_update"
        "  WHERE progress_update.action_id = action.id"
        ") WHERE EXISTS ("
        "  SELECT 1 FROM progress_update"
        "  WHERE progress_update.action_id = action.id AND progress_update.at < action.created_at"
        ")"
    )


def downgrade() -> None:
    with op.batch_alter_table("action") as batch:
        batch.drop_column("created_at")
