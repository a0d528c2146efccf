"""cover, clocks and care: absences with deputies (and whom an update covered for), how a
deadline was set and who owns it,
a workspace's personal-data checks, and updates held until their author confirms them

Revision ID: 0006_cover_and_care
Revises: 0005_impact_and_challenges
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_cover_and_care"
down_revision = "0005_impact_and_challenges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("patterns", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["person.id"],
            name=op.f("fk_privacy_settings_changed_by_id_person"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name=op.f("fk_privacy_settings_workspace_id_workspace"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_privacy_settings")),
    )
    op.create_table(
        "held_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"],
            name=op.f("fk_held_note_action_id_action"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"],
            name=op.f("fk_held_note_person_id_person"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"],
            name=op.f("fk_held_note_workspace_id_workspace"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_note")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_held_note_dedupe_key")),
    )
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deputy_id"], ["person.id"],
            name=op.f("fk_absence_deputy_id_person"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"],
            name=op.f("fk_absence_person_id_person"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["person.id"],
            name=op.f("fk_absence_set_by_id_person"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence")),
    )
    op.create_index(op.f("ix_absence_person_id"), "absence", ["person_id"], unique=False)
    with op.batch_alter_table("progress_update") as batch:
        batch.add_column(sa.Column("covering_for_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_progress_update_covering_for_id_person"), "person", ["covering_for_id"],
            ["id"], ondelete="SET NULL",
        )
    with op.batch_alter_table("statutory_deadline") as batch:
        batch.add_column(sa.Column("start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("working_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_statutory_deadline_owner_id_person"), "person", ["owner_id"], ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("statutory_deadline") as batch:
        batch.drop_constraint(op.f("fk_statutory_deadline_owner_id_person"), type_="foreignkey")
        batch.drop_column("owner_id")
        batch.drop_column("working_days")
        batch.drop_column("start")
    with op.batch_alter_table("progress_update") as batch:
        batch.drop_constraint(op.f("fk_progress_update_covering_for_id_person"), type_="foreignkey")
        batch.drop_column("covering_for_id")
    op.drop_index(op.f("ix_absence_person_id"), table_name="absence")
    op.drop_table("absence")
    op.drop_table("held_note")
    op.drop_table("privacy_settings")
