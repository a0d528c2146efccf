"""each board's next planning moment, so the minute tick reads only the boards that are due

NULL means "plan it at the next tick", which is what every existing board gets: the first
tick after the upgrade plans them all and sets their next moment.

Revision ID: 0009_board_next_plan_at
Revises: 0008_action_update_history
Create Date: 2026-12-02 04:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_board_next_plan_at"
down_revision = "0008_action_update_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("board") as batch:
        batch.add_column(sa.Column("next_plan_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_board_next_plan_at", "board", ["next_plan_at"])


def downgrade() -> None:
    op.drop_index("ix_board_next_plan_at", table_name="board")
    with op.batch_alter_table("board") as batch:
        batch.drop_column("next_plan_at")
