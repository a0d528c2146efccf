"""action due_text and sheet fields; plan sheet columns

A due cell that is not a date keeps its words (due_text); columns the importer does not
know are kept on the action (fields) and their place in the sheet on the plan (sheet_columns),
so an export puts them back where they were.

Revision ID: 0003_sheet_fields
Revises: 0002
Create Date: 2026-12-01 22:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_sheet_fields"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action") as batch:
        batch.add_column(sa.Column("due_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("fields", sa.JSON(), nullable=True))
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("sheet_columns", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("sheet_columns")
    with op.batch_alter_table("action") as batch:
        batch.drop_column("fields")
        batch.drop_column("due_text")
