"""`/progress` text → a command. Notes keep their line breaks; only Slack's escaping is undone."""

from __future__ import annotations

import re

from bot.core.errors import UserError
from bot.core.statuses import find_status, split_leading_status
from handlers.grammar.commands import (
    ListMine,
    OpenUpdateModal,
    ProgressCommand,
    RecordUpdate,
    RequestDateChange,
)
from handlers.grammar.help import HELP_WORDS, USAGE, help_for
from handlers.grammar.tokens import (
    clean_ref,
    date_problem,
    is_ref,
    leading_date,
    readable,
    shown,
)

_MINE = frozenset({"mine", "my", "list"})
_LEADING_PUNCTUATION = ":-–—,; \t\n"


def parse_progress(text: str) -> ProgressCommand:
    """Read the text after `/progress`."""
    stripped = (text or "").strip()
    if not stripped:
        return OpenUpdateModal()
    first, rest = _split_first(stripped)
    word = first.lower()
    if word in HELP_WORDS:
        return help_for("progress", rest)
    if word in _MINE:
        if rest:
            raise UserError(f"`/progress mine` takes nothing after it: `{USAGE['progress mine']}`")
        return ListMine()
    ref = clean_ref(first)
    if not is_ref(ref):
        raise UserError(_not_a_ref(stripped, first))
    if not rest:
        return OpenUpdateModal(ref)
    keyword, after = _split_first(rest)
    keyword = keyword.lower().rstrip(":")
    if keyword == "note":
        note = _note(after)
        if note is None:
            raise UserError(f"What's the note? `/progress {ref} note <text>`")
        return RecordUpdate(ref, None, note)
    if keyword == "date":
        return _date_change(ref, after)
    first_line, newline, other_lines = rest.partition("\n")
    status, note_start = split_leading_status(first_line, expected=True)
    if status is None:
        raise UserError(
            f"Start with a status or `note`: `/progress {ref} amber survey slipped to June` "
            f"or `/progress {ref} note <text>`"
        )
    return RecordUpdate(ref, status, _note(note_start + newline + other_lines))


def _split_first(text: str) -> tuple[str, str]:
    """The first word and the rest as typed (line breaks kept)."""
    parts = text.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], (parts[1] if len(parts) > 1 else "").strip()


def _note(text: str) -> str | None:
    note = readable(text.lstrip(_LEADING_PUNCTUATION).strip())
    return note or None


def _not_a_ref(text: str, first: str) -> str:
    status, _ = split_leading_status(text)
    if status is not None or find_status(first) is not None:
        return (
            "Put the action's ref first: `/progress 4.1 amber survey slipped to June` "
            "(`/progress mine` lists yours)"
        )
    return (
        f"“{shown(first)}” isn't an action ref like 4.1: "
        "`/progress 4.1 amber survey slipped to June` (`/progress mine` lists yours)"
    )


def _date_change(ref: str, text: str) -> RequestDateChange:
    usage = f"/progress {ref} date 31/07/2019 <reason>"
    matches = list(re.finditer(r"\S+", text))
    if not matches:
        raise UserError(f"I need the new date and the reason: `{usage}`")
    try:
        parsed, used = leading_date([m.group() for m in matches])
    except UserError as error:
        raise UserError(f"{date_problem(error)} — e.g. `{usage}`") from None
    reason = _note(text[matches[used - 1].end() :])
    if reason is None:
        raise UserError(
            f"Say why the date needs to change: `/progress {ref} date {parsed} <reason>`"
        )
    return RequestDateChange(ref, parsed.value, parsed.precision, reason)
