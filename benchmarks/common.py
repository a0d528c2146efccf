"""Bulk data for benchmarks: boards, plans, themes, actions, owners and updates, inserted
with Core statements (the use cases are too slow for 10,000 actions and not what is measured)."""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert, make_url, text

from bot.sandbox.emulator import SlackEmulator
from db.history import refresh_action_history
from db.migrate import upgrade
from db.models import (
    Action,
    ActionAssignment,
    Base,
    Board,
    Person,
    Plan,
    ProgressUpdate,
    Theme,
    Workspace,
)
from db.session import make_engine

STATUSES = ("not_started", "green", "amber", "red", "blue")
MORNING = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Thursday, 09:00 in London
DUE = dt.date(2019, 5, 31)  # 10 working days on (27 May is a bank holiday)


def team_id(n: int) -> str:
    return f"T{n:08d}B"


def populate(
    engine: Engine,
    *,
    boards: int,
    actions_per_board: int,
    updates_per_action: int = 0,
    owners: int = 200,
    start: dt.date = dt.date(2019, 1, 1),
    seed: int = 1,
    slack_ids: bool = True,
) -> None:
    rng = random.Random(seed)
    now = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Workspace), [{"id": 1, "team_id": "T1", "name": "Bench", "created_at": now}]
        )
        conn.execute(
            insert(Person),
            [
                {
                    "id": p,
                    "workspace_id": 1,
                    "name": f"Owner {p}",
                    "slack_user_id": f"U{p:05d}" if slack_ids else None,
                }
                for p in range(1, owners + 1)
            ],
        )
        board_rows, plan_rows, theme_rows, action_rows, owner_rows, update_rows = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        action_id = 0
        for b in range(1, boards + 1):
            board_rows.append(
                {
                    "id": b,
                    "workspace_id": 1,
                    "name": f"Board {b}",
                    "chair_id": rng.randint(1, owners),
                    "channel_id": f"C{b:05d}",
                    "timezone": "Europe/London",
                    "region": "ENG",
                    "meeting_rule": "FREQ=MONTHLY;BYDAY=+2TU",
                    "meeting_start": start,
                    "meeting_time": dt.time(10),
                    "reminder_policy": {},
                    "created_at": now,
                }
            )
            plan_rows.append(
                {"id": b, "board_id": b, "title": f"Plan {b}", "active": True, "created_at": now}
            )
            for t in range(1, 11):
                theme_rows.append(
                    {
                        "id": b * 100 + t,
                        "plan_id": b,
                        "ref": str(t),
                        "title": f"Theme {t}",
                        "position": t,
                    }
                )
            for n in range(actions_per_board):
                action_id += 1
                theme = n % 10 + 1
                due = start + dt.timedelta(days=rng.randint(0, 365))
                action_rows.append(
                    {
                        "id": action_id,
                        "plan_id": b,
                        "theme_id": b * 100 + theme,
                        "ref": f"{theme}.{n}",
                        "title": f"Action {n} of board {b}",
                        "due_date": due,
                        "due_precision": "day",
                        "original_due_date": due,
                        "date_changes": 0,
                        "status": rng.choice(STATUSES),
                        "position": n,
                    }
                )
                owner_rows.append(
                    {
                        "action_id": action_id,
                        "person_id": rng.randint(1, owners),
                        "role": "owner",
                        "position": 0,
                    }
                )
                for u in range(updates_per_action):
                    update_rows.append(
                        {
                            "action_id": action_id,
                            "author_id": owner_rows[-1]["person_id"],
                            "at": now + dt.timedelta(days=u * 3, minutes=action_id % 600),
                            "status": rng.choice(STATUSES),
                            "previous_status": rng.choice(STATUSES),
                            "note": f"Update {u}",
                            "source": "command",
                        }
                    )
        for model, rows in (
            (Board, board_rows),
            (Plan, plan_rows),
            (Theme, theme_rows),
            (Action, action_rows),
            (ActionAssignment, owner_rows),
            (ProgressUpdate, update_rows),
        ):
            bulk_insert(conn, model.__table__, rows)
        if update_rows:
            refresh_action_history(conn)
        gather_statistics(conn)


def gather_statistics(conn: Connection) -> None:
    """On PostgreSQL, ANALYZE the tables just filled. A live database has its planner's
    statistics: autovacuum gathers them within a minute or so of a bulk load. Measured at
    once, without them, the planner takes 100,000 rows for a handful and times plans no
    deployment would run. SQLite keeps no statistics unless told to, and the bot does not, so
    it is measured as it is."""
    if conn.dialect.name != "postgresql":
        return
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    conn.exec_driver_sql(f"ANALYZE {names}")


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows straight to the driver's executemany, values converted as the column types would
    store them: SQLAlchemy's per-row parameter processing costs more than the inserting when
    there are 100,000 rows."""
    if not rows:
        return
    columns = list(rows[0])
    defaults = {  # the models' Python-side defaults, which the driver knows nothing of
        c.name: c.default.arg
        for c in table.columns
        if c.name not in columns and c.default is not None and c.default.is_scalar
    }
    rows = [{**defaults, **row} for row in rows] if defaults else rows
    columns += list(defaults)
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        convert = _sqlite_value
    else:
        from psycopg.types.json import Json

        def convert(value: Any) -> Any:
            return Json(value) if isinstance(value, dict) else value

    marks = ", ".join("?" if sqlite else "%s" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})',
        [tuple(convert(row[c]) for c in columns) for row in rows],
    )


def _sqlite_value(value: Any) -> Any:
    """As SQLAlchemy's SQLite types store them (UTC without offset for db.models.UTCDateTime)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S.%f")
    if isinstance(value, dict):
        return json.dumps(value)
    return value


@contextmanager
def scratch_database(postgres_url: str | None = None) -> Iterator[Engine]:
    """A migrated, empty database thrown away afterwards: a temporary SQLite file, or a
    schema of its own on the PostgreSQL server at `postgres_url`."""
    if not postgres_url:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/bench.db")
            upgrade(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    schema = f"ib_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # In the URL, so that another process given engine.url works in the same schema.
    url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def reminder_morning(engine: Engine, emulator: SlackEmulator, count: int, workspaces: int) -> None:
    """`count` Slack users (added to `emulator`), each owning one action due in 10 working
    days, spread over `workspaces` workspaces (team ids `team_id(1…)`), inserted in bulk:
    planning at MORNING makes one reminder DM each."""
    per = -(-count // workspaces)
    rows: dict[Any, list[dict[str, Any]]] = {
        t: [] for t in (Workspace, Person, Board, Plan, Theme, Action, ActionAssignment)
    }
    for w in range(1, workspaces + 1):
        rows[Workspace].append(
            {"id": w, "team_id": team_id(w), "name": f"W{w}", "created_at": MORNING}
        )
        rows[Board].append(
            {"id": w, "workspace_id": w, "name": f"Board {w}", "created_at": MORNING}
        )
        rows[Plan].append(
            {"id": w, "board_id": w, "title": "Plan", "active": True, "created_at": MORNING}
        )
        rows[Theme].append({"id": w, "plan_id": w, "ref": "1", "title": "Theme", "position": 1})
    for n in range(count):
        w = n // per + 1
        user_id = f"UW{w:02d}{n:06d}"
        emulator.add_user(user_id, f"o{n}", f"Owner {n}", f"o{n}@council.example")
        rows[Person].append(
            {"id": n + 1, "workspace_id": w, "name": f"Owner {n}", "slack_user_id": user_id}
        )
        rows[Action].append(
            {
                "id": n + 1,
                "plan_id": w,
                "theme_id": w,
                "ref": f"1.{n}",
                "title": f"Action {n}",
                "due_date": DUE,
                "original_due_date": DUE,
                "position": n,
            }
        )
        rows[ActionAssignment].append(
            {"action_id": n + 1, "person_id": n + 1, "role": "owner", "position": 0}
        )
    with engine.begin() as connection:
        for table, values in rows.items():
            connection.execute(insert(table), values)
