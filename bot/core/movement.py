"""Movement since the last board: each meeting of a board is a cut-off.

For every action the digest and the pack show its status at the last meeting and now, read as
↑ improved, ↓ worsened, = same, or new (it did not exist at the last meeting), with the number of
slips (due dates moved later) since then; each theme sums it up: "2 better, 1 worse since
12 March 2019".

The BRAG order, worst to best: red < amber < not started < green < blue. *Not started* sits
between amber and green: an action not yet begun is neither at risk nor on track, so starting
on track (or finishing) is an improvement, and starting at risk or off track a worsening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from bot.core.dates import format_day
from bot.core.statuses import Status, status_of

__all__ = [
    "SYMBOLS",
    "ActionMovement",
    "StatusHistory",
    "DueChange",
    "Movement",
    "ThemeMovement",
    "last_meeting",
    "movement",
    "rank",
    "slips_since",
    "status_at_cutoff",
    "theme_movement",
    "theme_movement_of",
]

BRAG_ORDER: tuple[Status, ...] = (
    Status.RED,
    Status.AMBER,
    Status.NOT_STARTED,
    Status.GREEN,
    Status.BLUE,
)
_RANK = {status: i for i, status in enumerate(BRAG_ORDER)}


def rank(status: Status) -> int:
    """A status's place in the BRAG order, worst (red, 0) to best (blue, 4)."""
    return _RANK[status]


class Movement(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    SAME = "same"
    NEW = "new"


SYMBOLS: dict[Movement, str] = {
    Movement.IMPROVED: "↑",
    Movement.WORSENED: "↓",
    Movement.SAME: "=",
    Movement.NEW: "new",
}


def movement(before: Status | None, now: Status) -> Movement:
    """How an action moved from its status at the last meeting (None: it was not there)."""
    if before is None:
        return Movement.NEW
    now_rank, before_rank = _RANK[now], _RANK[before]
    if now_rank > before_rank:
        return Movement.IMPROVED
    if now_rank < before_rank:
        return Movement.WORSENED
    return Movement.SAME


def last_meeting(meetings: Iterable[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """The cut-off: the latest meeting that has started by `now` (None before the first)."""
    return max((m for m in meetings if m <= now), default=None)


@dataclass(frozen=True)
class DueChange:
    """An approved change of due date, at `at`."""

    at: dt.datetime
    old_due: dt.date
    new_due: dt.date

    @property
    def is_slip(self) -> bool:
        """Moved later; bringing a date forward is no slip."""
        return self.new_due > self.old_due


def slips_since(changes: Iterable[DueChange], cutoff: dt.datetime | None) -> int:
    """Slips after the cut-off; every slip when there is no earlier meeting."""
    return sum(1 for c in changes if c.is_slip and (cutoff is None or c.at > cutoff))


class ActionMovement(NamedTuple):
    ref: str
    before: Status | None  # at the last meeting; None when new since (or no meeting yet)
    now: Status
    slips: int
    since: dt.datetime | None  # the last meeting

    @property
    def movement(self) -> Movement:
        return movement(self.before, self.now)

    @property
    def symbol(self) -> str:
        """↑, ↓, = or new."""
        return SYMBOLS[self.movement]

    def as_json(self) -> dict[str, Any]:
        """The `movement` key of an action in `plan show --json`."""
        return {
            "since": self.since.isoformat() if self.since else None,
            "at_last_meeting": self.before.value if self.before else None,
            "now": self.now.value,
            "movement": self.movement.value,
            "symbol": self.symbol,
            "slips": self.slips,
        }


def _status(value: str | None) -> Status | None:
    try:
        return status_of(value) if value else None
    except ValueError:
        return None


_JUST_BEFORE = dt.timedelta(microseconds=1)


class StatusHistory(NamedTuple):
    """What an action's updates say of its status, as the action keeps it: each update holds
    the status after it and the one before."""

    since: dt.datetime  # when it was added to its plan
    first_update_at: dt.datetime | None = None  # None: never updated
    first_replaced: str | None = None  # the status its first update replaced
    set_at: dt.datetime | None = None  # its latest update that set a status …
    set_to: str | None = None  # … and the status it set


def status_at_cutoff(
    history: StatusHistory,
    now: Status,
    cutoff: dt.datetime,
    set_by_cutoff: tuple[dt.datetime | None, str | None] | None = None,
) -> Status | None:
    """The action's status at the cut-off (None: it was not there yet). Its status is the one
    its latest update by then set; before its first update, the one that update replaced
    (today's when never updated); it is there from when it was added, or from just before
    its first update when that is earlier. `set_by_cutoff`: when a status was set since the
    cut-off, the latest (time, status) set by it ((None, None): none)."""
    if history.first_update_at is None:
        return now if history.since <= cutoff else None
    start = min(history.since, history.first_update_at - _JUST_BEFORE)
    if start > cutoff:
        return None
    at, status = set_by_cutoff or (history.set_at, history.set_to)
    if at is not None and at <= cutoff and (set_status := _status(status)) is not None:
        return set_status
    return _status(history.first_replaced) or Status.NOT_STARTED


@dataclass(frozen=True)
class ThemeMovement:
    better: int
    worse: int
    same: int
    new: int
    slips: int
    since: dt.date | None  # the day of the last meeting, in the board's own time zone

    @property
    def line(self) -> str:
        """`2 better, 1 worse since 12 March 2019`; `no change since …`; with no earlier
        meeting, `3 new (no meeting yet to compare with)`."""
        counts = [(self.better, "better"), (self.worse, "worse"), (self.new, "new")]
        parts = ", ".join(f"{n} {word}" for n, word in counts if n)
        if self.since is None:
            return f"{parts or 'nothing'} (no meeting yet to compare with)"
        return f"{parts or 'no change'} since {format_day(self.since)}"


def theme_movement(movements: Iterable[ActionMovement], since: dt.date | None) -> ThemeMovement:
    """A theme's (or board's) actions summed up; `since` is the last meeting's local day."""
    chosen = list(movements)
    return theme_movement_of([m.movement for m in chosen], sum(m.slips for m in chosen), since)


def theme_movement_of(
    kinds: Sequence[Movement], slips: int, since: dt.date | None
) -> ThemeMovement:
    """`theme_movement` from each action's movement already read, and the slips summed."""
    return ThemeMovement(
        better=kinds.count(Movement.IMPROVED),
        worse=kinds.count(Movement.WORSENED),
        same=kinds.count(Movement.SAME),
        new=kinds.count(Movement.NEW),
        slips=slips,
        since=since,
    )
