"""Before any flush, no text may be longer than its column.

SQLite would keep it and PostgreSQL would fail with a DataError; both give the person the same
one-line refusal instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, Table, event
from sqlalchemy.orm import Session

from bot.core.text import TooLong

# How a column is named to the person whose text was too long; others by their column name.
_FIELD_NAMES = {
    ("person", "name"): "a person's name",
    ("person", "title"): "a job title",
    ("board", "name"): "a board name",
    ("plan", "title"): "a plan title",
    ("plan", "source"): "a plan's source",
    ("workspace", "name"): "a workspace name",
    ("statutory_deadline", "name"): "a deadline's name",
    ("theme", "ref"): "a theme ref",
    ("action", "ref"): "an action ref",
}


def _field_name(table: str, column: str) -> str:
    return _FIELD_NAMES.get((table, column), f"the {column.replace('_', ' ')}")


def refuse_overlong(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: any text longer than its column stops it with a friendly refusal."""
    for instance in (*session.new, *session.dirty):
        table = getattr(instance, "__table__", None)
        if table is not None:
            refuse_overlong_values(table, instance.__dict__)


def refuse_overlong_values(table: Table, values: Mapping[str, Any]) -> None:
    """The same refusal for a row written without the ORM (`values` by column key)."""
    for column in table.columns:
        limit = column.type.length if isinstance(column.type, String) else None
        if not limit:
            continue
        value = values.get(column.key)
        if isinstance(value, str) and len(value) > limit:
            raise TooLong(
                f"That's too long for {_field_name(table.name, column.name)}: "
                f"{len(value):,} characters, and I keep at most {limit}. "
                "Shorten it and try again."
            )


event.listen(Session, "before_flush", refuse_overlong)
