"""INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_or_ignore(session: Session, model: Any, *conflict_columns: str) -> Any:
    """An INSERT into `model` that does nothing when a row with the same `conflict_columns`
    exists (they must be a unique constraint). Add `.values(...)`, and `.returning(...)` to
    learn whether a row was made: psycopg reports -1 rows for ON CONFLICT DO NOTHING."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=list(conflict_columns))
