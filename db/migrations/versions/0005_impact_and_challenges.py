"""impact judged apart from delivery, and the chair's challenge log

A progress update may carry an impact judgement (evidenced, emerging, not yet evidenced, not
assessed): a new nullable column. A challenge is a board's question to an action's owners;
what became of it is its events (asked, answered, closed, reopened), append-only.

Revision ID: 0005_impact_and_challenges
Revises: 0004_outbox
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_impact_and_challenges"
down_revision = "0004_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress_update") as batch:
        batch.add_column(sa.Column("impact", sa.String(length=24), nullable=True))
    op.create_table(
        "challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_challenge_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"], ["person.id"], name=op.f("fk_challenge_asked_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_challenge_dedupe_key")),
    )
    op.create_index(op.f("ix_challenge_action_id"), "challenge", ["action_id"])
    op.create_table(
        "challenge_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"],
            name=op.f("fk_challenge_event_challenge_id_challenge"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["person.id"], name=op.f("fk_challenge_event_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_event")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_challenge_event_dedupe_key")),
    )
    op.create_index(
        op.f("ix_challenge_event_challenge_id"), "challenge_event", ["challenge_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_challenge_event_challenge_id"), table_name="challenge_event")
    op.drop_table("challenge_event")
    op.drop_index(op.f("ix_challenge_action_id"), table_name="challenge")
    op.drop_table("challenge")
    with op.batch_alter_table("progress_update") as batch:
        batch.drop_column("impact")
