"""what an action's updates said, kept on the action

The board's views (movement since the last meeting, the action read model) asked, per
action, for its first update, the latest that set a status, and its latest impact judgement
and evidence: four to six lookups per action, most of a 2,000-action digest's time. The
action now keeps them, and its newest update, as its updates are recorded; this fills them
in from the updates.

Revision ID: 0008_action_update_history
Revises: 0007_update_partial_indexes
Create Date: 2026-12-02 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_action_update_history"
down_revision = "0007_update_partial_indexes"
branch_labels = None
depends_on = None

COLUMNS = [
    ("first_update_at", sa.DateTime(timezone=True)),
    ("first_replaced_status", sa.String(16)),
    ("status_set_at", sa.DateTime(timezone=True)),
    ("status_set_to", sa.String(16)),
    ("impact", sa.String(24)),
    ("impact_at", sa.DateTime(timezone=True)),
    ("evidence", sa.Text()),
    ("evidence_at", sa.DateTime(timezone=True)),
    ("latest_update_id", sa.Integer()),
    ("latest_update_at", sa.DateTime(timezone=True)),
]


def _latest(column: str, given: str, tie: str = "DESC") -> str:
    return (
        f"(SELECT u.{column} FROM progress_update u WHERE u.action_id = action.id "
        f"AND u.{given} IS NOT NULL AND u.{given} <> '' ORDER BY u.at DESC, u.id {tie} LIMIT 1)"
    )


def _newest(column: str) -> str:
    return (
        f"(SELECT u.{column} FROM progress_update u WHERE u.action_id = action.id "
        "ORDER BY u.at DESC, u.id DESC LIMIT 1)"
    )


def _first(column: str) -> str:
    return (
        f"(SELECT u.{column} FROM progress_update u WHERE u.action_id = action.id "
        "ORDER BY u.at, u.id LIMIT 1)"
    )


def upgrade() -> None:
    with op.batch_alter_table("action") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.execute(
        "UPDATE action SET "
        f"first_update_at = {_first('at')}, "
        f"first_replaced_status = {_first('previous_status')}, "
        f"status_set_at = {_latest('at', 'status', 'ASC')}, "
        f"status_set_to = {_latest('status', 'status', 'ASC')}, "
        f"impact = {_latest('impact', 'impact')}, "
        f"impact_at = {_latest('at', 'impact')}, "
        f"evidence = {_latest('evidence', 'evidence')}, "
        f"evidence_at = {_latest('at', 'evidence')}, "
        f"latest_update_id = {_newest('id')}, "
        f"latest_update_at = {_newest('at')}"
    )


def downgrade() -> None:
    with op.batch_alter_table("action") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
