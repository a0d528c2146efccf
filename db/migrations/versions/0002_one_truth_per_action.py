"""one truth per action: room for a name in the ledger, one pending date change per action,
date-change requests remember the Slack request that asked

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column(
            'recipient',
            existing_type=sa.String(length=64),
            type_=sa.String(length=200),
            existing_nullable=False,
        )

    # Requests racing on PostgreSQL may have left several pending for one action: keep the
    # newest, as a fresh request would have withdrawn the older ones.
    op.execute(
        "UPDATE date_change_request SET state = 'withdrawn', decided_at = requested_at "
        "WHERE state = 'pending' AND id NOT IN ("
        "SELECT max(id) FROM date_change_request WHERE state = 'pending' GROUP BY action_id)"
    )
    with op.batch_alter_table('date_change_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_date_change_request_dedupe_key'), ['dedupe_key']
        )
        batch_op.create_index(
            'uq_date_change_request_pending_action',
            ['action_id'],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table('date_change_request', schema=None) as batch_op:
        batch_op.drop_index('uq_date_change_request_pending_action')
        batch_op.drop_constraint(
            batch_op.f('uq_date_change_request_dedupe_key'), type_='unique'
        )
        batch_op.drop_column('dedupe_key')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column(
            'recipient',
            existing_type=sa.String(length=200),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
