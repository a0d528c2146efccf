"""Owners away: who gets what was meant for them, day by day. Pure: absences and a day in.

An absence covers start to end, both included, and ends by itself. While it lasts the owner's
reminders, escalations and challenges go to the deputy, saying whom they cover; with no deputy
they go to nobody, and the owner's days are quiet like weekends and bank holidays.

Overlaps: the absence set most recently wins, day by day. People change leave by setting it
again ("actually I'm off until the 16th, and Kim will cover"); refusing would make them find and
cancel the old one first, and keeping the older would silently ignore what they just said. The
caller keeps absences in the order they were set and can show what a new one overrides
(`overridden_by`).

A deputy who is away on the day is not chased for someone else either: the owner then has no
cover that day. Cover does not pass on along a chain of deputies, so nobody is surprised by
actions of a person they never agreed to cover.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.calendar import WorkingCalendar
from bot.core.dates import DatePrecision, format_day, parse_uk_date
from bot.core.errors import UserError

PersonId = Hashable


@dataclass(frozen=True)
class Absence:
    person: PersonId
    start: dt.date
    end: dt.date  # included
    deputy: PersonId | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("an absence cannot end before it starts")
        if self.deputy is not None and self.deputy == self.person:
            raise ValueError("a person cannot deputise for themselves")

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, other: Absence) -> bool:
        return self.person == other.person and self.start <= other.end and other.start <= self.end


class CoverKind(StrEnum):
    OWNER = "owner"  # not away: the owner themselves
    DEPUTY = "deputy"  # away: the deputy, covering for the owner
    NO_COVER = "no_cover"  # away with nobody to cover: nothing is sent


@dataclass(frozen=True)
class Cover:
    owner: PersonId
    kind: CoverKind
    recipient: PersonId | None
    absence: Absence | None = None

    @property
    def covering_for(self) -> PersonId | None:
        """The owner, when the recipient is their deputy."""
        return self.owner if self.kind == CoverKind.DEPUTY else None


def absence_on(person: PersonId, day: dt.date, absences: Sequence[Absence]) -> Absence | None:
    """The absence of person that counts on day: the latest set of those covering it."""
    for absence in reversed(absences):
        if absence.person == person and absence.covers(day):
            return absence
    return None


def is_away(person: PersonId, day: dt.date, absences: Sequence[Absence]) -> bool:
    return absence_on(person, day, absences) is not None


def recipient_for(owner: PersonId, day: dt.date, absences: Sequence[Absence]) -> Cover:
    """Who receives what is meant for owner on day (absences in the order they were set)."""
    absence = absence_on(owner, day, absences)
    if absence is None:
        return Cover(owner, CoverKind.OWNER, owner)
    deputy = absence.deputy
    if deputy is None or is_away(deputy, day, absences):
        return Cover(owner, CoverKind.NO_COVER, None, absence)
    return Cover(owner, CoverKind.DEPUTY, deputy, absence)


def without_cover(owners: Sequence[PersonId], day: dt.date, absences: Sequence[Absence]) -> bool:
    """Every owner is away on day with nobody covering: their overdue action is listed to the
    chair as "owner away, no cover" instead of being chased or escalated against them."""
    return bool(owners) and all(
        recipient_for(owner, day, absences).kind is CoverKind.NO_COVER for owner in owners
    )


def is_quiet_day(
    person: PersonId, day: dt.date, absences: Sequence[Absence], calendar: WorkingCalendar
) -> bool:
    """No messages to this person: a weekend, a bank holiday or a day they are away."""
    return not calendar.is_working_day(day) or is_away(person, day, absences)


def working_days_away(absence: Absence, calendar: WorkingCalendar) -> int:
    """Working days the absence takes out (bank holidays and weekends inside it don't count)."""
    return len(calendar.working_days_in_range(absence.start, absence.end))


def first_working_day_back(absence: Absence, calendar: WorkingCalendar) -> dt.date:
    return calendar.next_working_day(absence.end, include_self=False)


def overridden_by(new: Absence, absences: Iterable[Absence]) -> list[Absence]:
    """The person's earlier absences that the new one overrides on some days."""
    return [a for a in absences if a.overlaps(new)]


# --- Command text ---------------------------------------------------------------------------

ABSENCE_USAGE = "Type the first and last day away, e.g. `22/07/2019 to 09/08/2019`."

_RANGE = re.compile(
    r"(?:from\s+)?(?P<start>.+?)\s+(?:to|until|till|through|-|–|—)\s+(?P<end>.+)",
    re.IGNORECASE,
)


def parse_absence_period(text: str) -> tuple[dt.date, dt.date]:
    """`22/07/2019 to 09/08/2019` or `from 22/07/2019 until 09/08/2019` → (first, last day)."""
    cleaned = " ".join((text or "").split())
    m = _RANGE.fullmatch(cleaned)
    if m is None:
        raise UserError(f"I need the first and last day away. {ABSENCE_USAGE}")
    return absence_period(_day(m["start"]), _day(m["end"]))


def absence_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day away, checked (typed, or picked in the Home tab's form)."""
    if end < start:
        raise UserError(
            f"The absence would end ({format_day(end)}) before it starts "
            f"({format_day(start)}). Put the first day first, e.g. 22/07/2019 to 09/08/2019."
        )
    if (end - start).days > 366:
        raise UserError("An absence can last at most a year. Set a shorter one.")
    return start, end


def _day(text: str) -> dt.date:
    parsed = parse_uk_date(text)
    if parsed.precision != DatePrecision.DAY:
        raise UserError(f"Give the exact day rather than {parsed}. {ABSENCE_USAGE}")
    return parsed.value
