"""A deadline as a person asks for it, before the board's calendar turns it into a due date.

Two shapes: a title with a due date or a working-days rule (`DeadlineRequest`, read by
`bot.core.deadlines.parse_deadline`), or one of the named clocks with the date it counts from
(`ClockRequest`). Both give `.title` and `.deadline(calendar, owner_id)`, so a use case needs
no case for each. Pure: words and dates in, values out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from bot.core.calendar import WorkingCalendar
from bot.core.deadlines import (
    MONITORING_VISIT,
    NAMED_CLOCKS,
    SCRUTINY_REPORT,
    STATEMENT_OF_ACTION,
    Deadline,
    DeadlineRequest,
    NamedClock,
    next_monitoring_visit,
    scrutiny_report,
    statement_of_action,
)

# Words that may come before a clock's name: "the next monitoring visit", "ILACS statement…".
_LEADING = frozenset({"the", "next", "written", "ilacs", "ofsted"})


@dataclass(frozen=True)
class ClockRequest:
    """A named clock (a key of NAMED_CLOCKS) from `start`: the report's publication, the last
    monitoring visit or the scrutiny committee's meeting. `amount` is the number the clock
    needs: months between visits, or working days before the meeting (None for the statement
    of action, whose 70 working days are fixed)."""

    clock: str
    start: dt.date
    amount: int | None = None

    @property
    def named(self) -> NamedClock:
        return NAMED_CLOCKS[self.clock]

    @property
    def title(self) -> str:
        return self.named.title

    def deadline(self, calendar: WorkingCalendar, owner_id: int | None = None) -> Deadline:
        """The due date in the board's calendar; UserError when the amount is out of range."""
        if self.clock == STATEMENT_OF_ACTION.key:
            return statement_of_action(self.start, calendar, owner_id)
        amount = self.amount if self.amount is not None else -1
        if self.clock == MONITORING_VISIT.key:
            return next_monitoring_visit(self.start, amount, calendar, owner_id)
        if self.clock == SCRUTINY_REPORT.key:
            return scrutiny_report(self.start, amount, calendar, owner_id)
        raise ValueError(f"no named clock {self.clock!r}")


AskedDeadline: TypeAlias = DeadlineRequest | ClockRequest


def find_clock(words: Sequence[str]) -> tuple[NamedClock, int] | None:
    """The named clock that the leading lower-case words name, and how many words it took:
    `statement of action`, `statement-of-action`, `the next monitoring visit`, `scrutiny
    report`. None when they name none."""
    skip = 0
    while skip < len(words) and words[skip] in _LEADING:
        skip += 1
    rest = [word.strip(",:") for word in words[skip:]]
    for clock in NAMED_CLOCKS.values():
        if rest[:1] == [clock.key]:
            return clock, skip + 1
        parts = clock.key.split("-")
        if rest[: len(parts)] == parts:
            return clock, skip + len(parts)
    return None


def clock_names() -> str:
    """`statement of action, monitoring visit or scrutiny report`, for messages."""
    names = [clock.key.replace("-", " ") for clock in NAMED_CLOCKS.values()]
    return ", ".join(names[:-1]) + f" or {names[-1]}"
