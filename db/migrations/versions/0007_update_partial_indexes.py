"""each action's latest status, impact and evidence read off an index

Movement since the last meeting and the action read model ask, per action, for the latest
update that gave a status, an impact judgement or evidence. With only (action_id, at) to go
on, each such question walks every update of the action that gave none; a partial index per
column goes straight to the row.

Revision ID: 0007_update_partial_indexes
Revises: 0006_cover_and_care
Create Date: 2026-12-02 03:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_update_partial_indexes"
down_revision = "0006_cover_and_care"
branch_labels = None
depends_on = None

COLUMNS = ("status", "impact", "evidence")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(
            f"ix_progress_update_action_at_{column}",
            "progress_update",
            ["action_id", "at"],
            sqlite_where=sa.text(f"{column} IS NOT NULL"),
            postgresql_where=sa.text(f"{column} IS NOT NULL"),
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_progress_update_action_at_{column}", table_name="progress_update")
