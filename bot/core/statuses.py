"""BRAG statuses and the words and emoji people type for them."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.core.errors import UserError


class Status(StrEnum):
    NOT_STARTED = "not_started"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BLUE = "blue"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_complete(self) -> bool:
        return self is Status.BLUE


_BY_VALUE: dict[str, Status] = {status.value: status for status in Status}


def status_of(value: str) -> Status:
    """`Status(value)` at a dict's speed: views read thousands of stored statuses at a time.
    An unknown value is a ValueError, as with `Status(value)`."""
    try:
        return _BY_VALUE[value]
    except KeyError:
        raise ValueError(f"{value!r} is not a valid Status") from None


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "Not started",
    Status.GREEN: "On track",
    Status.AMBER: "At risk",
    Status.RED: "Off track",
    Status.BLUE: "Complete",
}

STATUS_EMOJI: dict[Status, str] = {
    Status.NOT_STARTED: ":white_circle:",
    Status.GREEN: ":large_green_circle:",
    Status.AMBER: ":large_orange_circle:",
    Status.RED: ":red_circle:",
    Status.BLUE: ":large_blue_circle:",
}

# Every key is already normalised (see _normalise).
_SYNONYMS: dict[str, Status] = {}


def _add(status: Status, *words: str) -> None:
    for word in words:
        _SYNONYMS[_normalise(word)] = status


def _normalise(text: str) -> str:
    text = text.strip().lower()
    text = text.strip(":.!,;-–—*_ ")
    text = re.sub(r"[\s_\-]+", " ", text)
    return text


_add(
    Status.NOT_STARTED,
    "not started",
    "not_started",
    "not yet started",
    "not yet due",
    "ns",
    "none",
    "white",
    "grey",
    "gray",
    "white circle",
    "white_circle",
    "⚪",
)
_add(
    Status.GREEN,
    "g",
    "green",
    "on track",
    "ontrack",
    "good",
    "in progress",
    "on target",
    "large green circle",
    "green circle",
    "🟢",
)
_add(
    Status.AMBER,
    "a",
    "amber",
    "at risk",
    "atrisk",
    "risk",
    "yellow",
    "orange",
    "delayed",
    "slipping",
    "slipped",
    "large orange circle",
    "large yellow circle",
    "orange circle",
    "yellow circle",
    "🟠",
    "🟡",
)
_add(
    Status.RED,
    "r",
    "red",
    "off track",
    "offtrack",
    "not on track",
    "behind",
    "blocked",
    "red circle",
    "large red circle",
    "🔴",
)
_add(
    Status.BLUE,
    "b",
    "blue",
    "done",
    "complete",
    "completed",
    "finished",
    "closed",
    "achieved",
    "embedded",
    "large blue circle",
    "blue circle",
    "🔵",
    "white check mark",
    "heavy check mark",
    "✅",
    "✔",
    "✔️",
)


def percent(part: int, whole: int) -> int:
    """`part` of `whole` as a whole percentage, rounded half up (2 of 3 is 67%).

    Never 100% while something is left, and never 0% once something is done: a board that
    reads "100% complete" with an action still open would mislead.
    """
    if whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return 100
    rounded = (200 * part + whole) // (2 * whole)
    return min(max(rounded, 1), 99)


def _reads_as_article(head: str, rest: str) -> bool:
    return head.lower() == "a" and rest[:1].islower()


ACCEPTED_STATUS_WORDS = "green / on track, amber / at risk, red / off track, blue / done / complete"


def find_status(text: str | None) -> Status | None:
    """The status a word, phrase or emoji stands for, or None if it stands for none."""
    if text is None:
        return None
    key = _normalise(text)
    if not key:
        return None
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    try:
        return Status(key.replace(" ", "_"))
    except ValueError:
        return None


def parse_status(text: str) -> Status:
    """Like find_status, but an unknown word is a UserError saying what to type."""
    status = find_status(text)
    if status is None:
        raise UserError(
            f"I don't know the status “{text.strip()}”. Try one of: {ACCEPTED_STATUS_WORDS}."
        )
    return status


def split_leading_status(text: str, *, expected: bool = False) -> tuple[Status | None, str]:
    """Split 'amber: survey slipped' into (AMBER, 'survey slipped').

    Tries the longest leading phrase first (up to four words) so 'on track – fine' and
    'at risk: x' work. The letters R, A, G and B (any case) are statuses too, as in
    'G 90% now'. Where a status is optional (a thread reply), 'a' or 'A' followed by a
    lower-case word reads as the article ('A survey went out'), not as amber; where one is
    `expected` (`/progress 4.1 a waiting on data`), it is amber.
    """
    stripped = text.strip()
    match = re.match(r"^(\S+(?:\s+\S+){0,3})", stripped)
    if not match:
        return None, stripped
    words = stripped.split()
    for n in range(min(4, len(words)), 0, -1):
        head = " ".join(words[:n])
        status = find_status(head)
        if status is None:
            continue
        rest = " ".join(words[n:])
        bare_head = head.rstrip(":.!,;-–—")
        separated = head != bare_head or rest.startswith(("-", "–", "—", ":")) or not rest
        if not expected and not separated and _reads_as_article(head, rest):
            continue
        return status, rest.lstrip(":-–— ").strip()
    return None, stripped
