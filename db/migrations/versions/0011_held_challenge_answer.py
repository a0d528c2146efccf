"""a challenge answer the personal-data check flagged can be held, like a progress note

`held_note.challenge_id` names the challenge a held answer is for (NULL for a held progress
update), so its author can record it anyway with one click instead of rephrasing.

Revision ID: 0011_held_challenge_answer
Revises: 0010_action_created_at
Create Date: 2026-12-02 04:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_held_challenge_answer"
down_revision = "0010_action_created_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("held_note") as batch:
        batch.add_column(sa.Column("challenge_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_held_note_challenge_id_challenge"),
            "challenge",
            ["challenge_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("held_note") as batch:
        batch.drop_constraint(op.f("fk_held_note_challenge_id_challenge"), type_="foreignkey")
        batch.drop_column("challenge_id")
