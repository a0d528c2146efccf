"""INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike, one row or thousands."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Table,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Rows per statement on SQLite, sent as multi-row INSERTs (SQLAlchemy's "insertmanyvalues").
SQLITE_CHUNK = 2000
# Rows per statement on PostgreSQL, sent as one JSON document (see insert_many).
POSTGRESQL_CHUNK = 20000


def insert_or_ignore(session: Session, model: Any, *conflict_columns: str) -> Any:
    """An INSERT into `model` that does nothing when a row with the same `conflict_columns`
    exists (they must be a unique constraint). Add `.values(...)`, and `.returning(...)` to
    learn whether a row was made: psycopg reports -1 rows for ON CONFLICT DO NOTHING."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=list(conflict_columns))


def insert_many(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    ignore_conflicts_on: Sequence[str] = (),
    returning: Sequence[Column[Any]] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (dicts with the same keys, plain values: numbers, text, dates, aware
    datetimes, dicts for JSON columns) in as few statements as it takes; a row whose
    `ignore_conflicts_on` columns (a unique constraint) match an existing row's is skipped.
    The `returning` columns of the rows made, in no particular order.

    On PostgreSQL the rows go as one JSON parameter that the server turns into rows of the
    table (json_populate_recordset): a multi-row VALUES with tens of thousands of parameters
    costs the driver more to prepare than the server takes to insert them. On SQLite they go
    as multi-row INSERTs."""
    if not rows:
        return []
    names = list(rows[0])
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = postgresql.insert if postgres else sqlite.insert
    statement: Any = insert(table)
    if postgres:
        # json_populate_recordset(NULL::table, json): the table's row type converts each value.
        row_type = session.get_bind().dialect.identifier_preparer.format_table(table)
        records = func.json_populate_recordset(
            literal_column(f"NULL::{row_type}"), cast(bindparam("records", type_=Text), JSON)
        ).table_valued(*names)
        statement = statement.from_select(names, select(*(records.c[name] for name in names)))
    if ignore_conflicts_on:
        statement = statement.on_conflict_do_nothing(index_elements=list(ignore_conflicts_on))
    if returning:
        statement = statement.returning(*returning)
    made: list[tuple[Any, ...]] = []
    if not postgres:
        for start in range(0, len(rows), SQLITE_CHUNK):
            result = session.execute(statement, list(rows[start : start + SQLITE_CHUNK]))
            if returning:
                made.extend(tuple(row) for row in result)
        return made
    for start in range(0, len(rows), POSTGRESQL_CHUNK):
        result = session.execute(
            statement, {"records": _as_json(rows[start : start + POSTGRESQL_CHUNK])}
        )
        if returning:
            made.extend(tuple(row) for row in result)
    return made


def _as_json(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as one JSON array of objects; dates and aware datetimes as ISO 8601 text."""
    return json.dumps(rows, default=_json_value)  # as SQLAlchemy writes a JSON column


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")
