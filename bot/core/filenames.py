"""Names of the files the bot writes: plan exports, packs and the plans attached to them.

One slug rule for every file, so a plan exported in Slack and from the command line on the
same day has the same name.
"""

from __future__ import annotations

import datetime as dt
import re


def slug(title: str, *, keep_case: bool = False) -> str:
    """`title` as a file name stem: letters and digits joined by hyphens, at most 60 characters.

    Apostrophes go without a gap ("Children's" → "childrens"); `keep_case` keeps capitals, for
    the names people see attached to a pack.
    """
    text = title.replace("'", "").replace("’", "")
    stem = re.sub(r"[^A-Za-z0-9]+", "-", text if keep_case else text.lower()).strip("-")
    return stem[:60].rstrip("-") or "plan"


def plan_export_filename(title: str, day: dt.date, fmt: str) -> str:
    """A plan exported on `day` (board-local): `/plan export` and `improvement-bot plan export`."""
    return f"{slug(title)}-{day.isoformat()}.{fmt}"


def pack_filename(board: str, meeting: dt.date, fmt: str) -> str:
    """A board's pre-meeting pack for the meeting on `meeting`."""
    return f"{slug(board, keep_case=True)}-pack-{meeting.isoformat()}.{fmt}"


def pack_plan_filename(title: str, day: dt.date) -> str:
    """A plan attached to a pack sent on `day`."""
    return f"{slug(title, keep_case=True)}-{day.isoformat()}.xlsx"
