"""outbox: typed columns for a message's time zone and the parts already posted; its actions
kept once, in notification_item (with their order)

A notification's payload held its actions (also kept in notification_item), its time zone
and the parts of it already posted. The actions now live only in notification_item, which
gains their position in the message; the time zone and the parts posted are columns.

Date-change DMs were written as "sending" with no claim before they were posted, so one cut
short stayed that way for good: such a row from the last day gets a claim that has lapsed,
so delivery takes it up; an older one is dropped.

Revision ID: 0004_outbox
Revises: 0003_sheet_fields
Create Date: 2026-12-02 01:40:00
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004_outbox"
down_revision = "0003_sheet_fields"
branch_labels = None
depends_on = None

DEFAULT_TIMEZONE = "Europe/London"


def table(name: str, **columns: sa.types.TypeEngine[Any]) -> sa.TableClause:
    """The columns of a table this migration reads and writes, as they are at this revision."""
    return sa.table(name, *(sa.column(column, type_) for column, type_ in columns.items()))


notification = table(
    "notification",
    id=sa.Integer(), payload=sa.JSON(), timezone=sa.String(), parts_sent=sa.JSON(),
    state=sa.String(), created_at=sa.DateTime(timezone=True),
    claimed_until=sa.DateTime(timezone=True), error=sa.Text(),
)  # fmt: skip
item = table(
    "notification_item",
    notification_id=sa.Integer(), action_id=sa.Integer(), reason=sa.String(),
    working_days=sa.Integer(), position=sa.Integer(),
)  # fmt: skip
action = table("action", id=sa.Integer())


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column(
                "timezone", sa.String(64), nullable=False, server_default=DEFAULT_TIMEZONE
            )
        )
        batch.add_column(sa.Column("parts_sent", sa.JSON(), nullable=True))
    with op.batch_alter_table("notification_item") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    actions = set(connection.scalars(sa.select(action.c.id)))
    kept = {
        (row.notification_id, row.action_id, row.reason)
        for row in connection.execute(
            sa.select(item.c.notification_id, item.c.action_id, item.c.reason)
        )
    }
    for notification_id, payload in connection.execute(
        sa.select(notification.c.id, notification.c.payload)
    ).all():
        payload = dict(payload or {})
        items = payload.pop("items", None) or []
        timezone = payload.pop("tz", None) or DEFAULT_TIMEZONE
        parts = payload.pop("parts_sent", None)
        for position, entry in enumerate(items):
            key = (notification_id, entry["action_id"], entry["reason"])
            if key in kept:
                connection.execute(
                    sa.update(item)
                    .where(
                        item.c.notification_id == notification_id,
                        item.c.action_id == entry["action_id"],
                        item.c.reason == entry["reason"],
                    )
                    .values(position=position)
                )
            elif entry["action_id"] in actions:
                connection.execute(
                    sa.insert(item).values(
                        notification_id=notification_id,
                        action_id=entry["action_id"],
                        reason=entry["reason"],
                        working_days=entry.get("working_days"),
                        position=position,
                    )
                )
                kept.add(key)
        connection.execute(
            sa.update(notification)
            .where(notification.c.id == notification_id)
            .values(payload=payload, timezone=timezone, parts_sent=parts)
        )
    # Cut short today: delivery takes it up. Earlier: it may have reached Slack without the
    # key delivery looks for in the channel's history, so it is dropped rather than risk a
    # second copy.
    stuck = sa.and_(notification.c.state == "sending", notification.c.claimed_until.is_(None))
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    if connection.dialect.name == "sqlite":  # kept as naive UTC there (db.models.UTCDateTime)
        yesterday = yesterday.replace(tzinfo=None)
    connection.execute(
        sa.update(notification)
        .where(stuck, notification.c.created_at < yesterday)
        .values(state="dropped", error="interrupted before it was recorded")
    )
    connection.execute(
        sa.update(notification).where(stuck).values(claimed_until=notification.c.created_at)
    )


def downgrade() -> None:
    connection = op.get_bind()
    items: dict[int, list[dict[str, Any]]] = {}
    for row in connection.execute(
        sa.select(item).order_by(item.c.notification_id, item.c.position, item.c.action_id)
    ):
        items.setdefault(row.notification_id, []).append(
            {"action_id": row.action_id, "reason": row.reason, "working_days": row.working_days}
        )
    for notification_id, payload, timezone, parts in connection.execute(
        sa.select(
            notification.c.id, notification.c.payload, notification.c.timezone,
            notification.c.parts_sent,
        )
    ).all():
        payload = {**(payload or {}), "tz": timezone}
        if notification_id in items:
            payload["items"] = items[notification_id]
        if parts is not None:
            payload["parts_sent"] = parts
        connection.execute(
            sa.update(notification)
            .where(notification.c.id == notification_id)
            .values(payload=payload)
        )
    with op.batch_alter_table("notification_item") as batch:
        batch.drop_column("position")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("parts_sent")
        batch.drop_column("timezone")
