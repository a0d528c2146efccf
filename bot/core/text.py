"""Text people give the bot, made safe for both databases and held to the columns' sizes.

`clean_text` is applied where text enters: to every string in a Slack request (handlers.context)
and to every imported cell (bot.core.importer.tidy_text). `refuse_overlong` checks, before any
flush, that no text is longer than its column, so SQLite (which would keep it) and PostgreSQL
(which would fail with a DataError) both give the person the same one-line refusal.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import Session

from bot.core.errors import UserError

# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates (which no database
# can store). PostgreSQL refuses NUL outright; the rest only ever arrive by accident or malice.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text without control characters (tab and newline kept; CR LF becomes LF)."""
    return _UNWANTED.sub("", text.replace("\r\n", "\n"))


def clean_payload(value: Any) -> Any:
    """Every string in a parsed JSON-like payload cleaned, in place where it is a dict or list."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = clean_payload(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = clean_payload(item)
    return value


class TooLong(UserError):
    """Text longer than the column that keeps it."""


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
        if table is None:
            continue
        for column in table.columns:
            limit = column.type.length if isinstance(column.type, String) else None
            if not limit:
                continue
            value = instance.__dict__.get(column.key)
            if isinstance(value, str) and len(value) > limit:
                raise TooLong(
                    f"That's too long for {_field_name(table.name, column.name)}: "
                    f"{len(value):,} characters, and I keep at most {limit}. "
                    "Shorten it and try again."
                )


def clip(text: str, limit: int) -> str:
    """Text someone else wrote (a Slack profile) cut to fit, rather than refused."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


event.listen(Session, "before_flush", refuse_overlong)
