"""Text people give the bot, made safe for both databases and held to the columns' sizes.

`clean_text` is applied where text enters: to every string in a Slack request and to every
imported cell (bot.core.importer.tidy_text). The column-size guard that runs before every flush
lives with the unit of work (bot.services.text_limits).
"""

from __future__ import annotations

import re
from typing import Any

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


def clip(text: str, limit: int) -> str:
    """Text someone else wrote (a Slack profile) cut to fit, rather than refused."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
