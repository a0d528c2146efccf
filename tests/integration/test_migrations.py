"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, text

from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.models import Base


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_an_up_to_date_database_does_nothing(engine: Engine) -> None:
    upgrade(engine)
    assert upgrade(engine) is False


def test_the_outbox_migration_keeps_a_messages_actions_once(engine: Engine) -> None:
    """0004 moves a reminder's actions out of its payload into notification_item (in order,
    beside the rows already there), and its time zone and parts posted into columns."""
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0003_sheet_fields")
    now = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)
    tables = Base.metadata.tables
    with engine.begin() as connection:

        def add(table: str, **values: Any) -> int:
            return int(
                connection.execute(
                    insert(tables[table]).values(**values).returning(tables[table].c.id)
                ).scalar_one()
            )

        workspace = add("workspace", team_id="T1", created_at=now)
        board = add("board", workspace_id=workspace, name="Board", created_at=now)
        plan = add("plan", board_id=board, title="Plan", created_at=now)
        theme = add("theme", plan_id=plan, ref="4", title="Theme")
        first, second = (
            add("action", plan_id=plan, theme_id=theme, ref=ref, title=ref)
            for ref in ("4.2", "4.1")
        )
        items = [
            {"action_id": first, "action": "4.2", "reason": "overdue", "working_days": 5},
            {"action_id": second, "action": "4.1", "reason": "due_soon", "working_days": 3},
        ]
        connection.execute(
            text(
                "INSERT INTO notification (workspace_id, key, kind, recipient, payload, state, "
                "attempts, due_at, local_day, created_at) VALUES (:w, 'k', 'reminder', 'U1', "
                ":payload, 'pending', 0, :now, :day, :now)"
            ),
            {
                "w": workspace,
                "payload": json.dumps(
                    {"items": items, "tz": "Europe/Paris", "parts_sent": [0], "note": None}
                ),
                "now": now.replace(tzinfo=None),
                "day": now.date(),
            },
        )
        today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for key, created in (("stuck", today), ("stuck long ago", now.replace(tzinfo=None))):
            connection.execute(  # a date-change DM cut short before 0004: sending, unclaimed
                text(
                    "INSERT INTO notification (workspace_id, key, kind, recipient, payload, "
                    "state, attempts, due_at, local_day, created_at) VALUES (:w, :key, "
                    "'date_change_request', 'U2', '{}', 'sending', 1, :at, :day, :at)"
                ),
                {"w": workspace, "key": key, "at": created, "day": created.date()},
            )
        notification = connection.execute(
            text("SELECT id FROM notification WHERE key = 'k'")
        ).scalar_one()
        connection.execute(  # planning wrote the second item already
            text(
                "INSERT INTO notification_item (notification_id, action_id, reason, working_days)"
                " VALUES (:n, :a, 'due_soon', 3)"
            ),
            {"n": notification, "a": second},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT payload, timezone, parts_sent FROM notification WHERE key = 'k'")
        ).one()
        stuck = connection.execute(
            text(
                "SELECT state, claimed_until FROM notification WHERE key LIKE 'stuck%' ORDER BY key"
            )
        ).all()
        kept = connection.execute(
            text("SELECT action_id, reason, working_days FROM notification_item ORDER BY position")
        ).all()
    payload, timezone, parts = row
    decoded = [json.loads(v) if isinstance(v, str) else v for v in (payload, parts)]
    assert decoded == [{"note": None}, [0]]
    assert timezone == "Europe/Paris"
    # Today's is taken up by the next delivery; an older one may have reached Slack unmarked.
    [(today_state, today_claim), (old_state, _)] = stuck
    assert (today_state, old_state) == ("sending", "dropped") and today_claim is not None
    assert [tuple(r) for r in kept] == [(first, "overdue", 5), (second, "due_soon", 3)]


def test_actions_are_backfilled_with_when_they_were_added(engine: Engine) -> None:
    """0010 gives each action its plan's creation, or its first update when that is older
    (an imported sheet's progress can predate the plan that holds it)."""
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0007_update_partial_indexes")
    created = dt.datetime(2019, 3, 1, 9, 0, tzinfo=dt.UTC)
    older = dt.datetime(2019, 1, 10, 12, 0, tzinfo=dt.UTC)
    tables = Base.metadata.tables
    with engine.begin() as connection:

        def add(table: str, **values: Any) -> int:
            return int(
                connection.execute(
                    insert(tables[table]).values(**values).returning(tables[table].c.id)
                ).scalar_one()
            )

        workspace = add("workspace", team_id="T1", created_at=created)
        board = add("board", workspace_id=workspace, name="Board", created_at=created)
        plan = add("plan", board_id=board, title="Plan", created_at=created)
        theme = add("theme", plan_id=plan, ref="4", title="Theme")
        imported, quiet, later = (
            add("action", plan_id=plan, theme_id=theme, ref=ref, title=ref)
            for ref in ("4.1", "4.2", "4.3")
        )
        for action, at in (
            (imported, older),
            (imported, created),
            (later, created.replace(month=4)),
        ):
            add("progress_update", action_id=action, at=at, source="import", status="green")
    upgrade(engine)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT id, created_at FROM action")).all())

    def moment(value: Any) -> dt.datetime:
        value = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    assert {k: moment(v) for k, v in found.items()} == {
        imported: older,
        quiet: created,
        later: created,
    }
