"""Working days (Mon–Fri, not a bank holiday of the board's region) and board-local time."""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.core.errors import UserError

DEFAULT_REGION = "ENG"
DEFAULT_TIMEZONE = "Europe/London"  # a board's, and the bot's, unless set otherwise

REGIONS: dict[str, str] = {
    "ENG": "England and Wales",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}

_REGION_ALIASES: dict[str, str] = {
    "england": "ENG",
    "england and wales": "ENG",
    "england & wales": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern ireland": "NIR",
}


def region_code(text: str) -> str:
    """`ENG`, `sct`, `Scotland`, `England & Wales` … → a key of REGIONS; else UserError."""
    key = " ".join(str(text).split())
    if key.upper() in REGIONS:
        return key.upper()
    if key.lower() in _REGION_ALIASES:
        return _REGION_ALIASES[key.lower()]
    valid = ", ".join(f"{code} ({name})" for code, name in REGIONS.items())
    raise UserError(f'I don\'t know the holiday region "{key[:40]}". Use one of {valid}.')


class _Year:
    """One calendar year, precomputed so each question is an index or a bisect."""

    __slots__ = ("first", "working", "count_to", "ordinals", "names")

    def __init__(self, year: int, names: dict[dt.date, str]) -> None:
        self.first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        days = [dt.date.fromordinal(o) for o in range(self.first, last + 1)]
        self.working = bytes(d.weekday() < 5 and d not in names for d in days)
        # count_to[i]: working days on day-of-year index 0..i inclusive.
        self.count_to = list(accumulate(self.working))
        self.ordinals = [self.first + i for i, w in enumerate(self.working) if w]
        self.names = names


class WorkingCalendar:
    """Working days for one holiday region; build it with calendar_for()."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.name = REGIONS[region]
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.region!r})"

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is not None:
            return found
        with self._lock:
            if year not in self._years:
                table = holidays.country_holidays("GB", subdiv=self.region, years=year)
                self._years[year] = _Year(year, dict(table.items()))
            return self._years[year]

    def is_working_day(self, d: dt.date) -> bool:
        y = self._years.get(d.year) or self._year(d.year)
        return bool(y.working[d.toordinal() - y.first])

    def holiday_name(self, d: dt.date) -> str | None:
        """The bank holiday's name (also when it falls at a weekend), or None."""
        if isinstance(d, dt.datetime):
            d = d.date()
        return self._year(d.year).names.get(d)

    def holidays_in_year(self, year: int) -> dict[dt.date, str]:
        """Every bank holiday of the year, including ones at a weekend, in date order."""
        return dict(sorted(self._year(year).names.items()))

    def next_working_day(self, d: dt.date, include_self: bool = True) -> dt.date:
        y = self._years.get(d.year) or self._year(d.year)
        i = d.toordinal() - y.first
        if include_self and y.working[i]:
            return d
        return self._working_day_at(d.year, y.count_to[i])

    def previous_working_day(self, d: dt.date, include_self: bool = True) -> dt.date:
        y = self._years.get(d.year) or self._year(d.year)
        i = d.toordinal() - y.first
        if include_self and y.working[i]:
            return d
        return self._working_day_at(d.year, y.count_to[i] - y.working[i] - 1)

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after d (before it when n < 0).

        Counting starts from d whether or not d is a working day, so from a Saturday +1 is the
        Monday and -1 the Friday. n == 0 returns d unchanged, even on a non-working day.
        """
        if n == 0:
            return d
        y = self._years.get(d.year) or self._year(d.year)
        i = d.toordinal() - y.first
        if n > 0:
            return self._working_day_at(d.year, y.count_to[i] + n - 1)
        return self._working_day_at(d.year, y.count_to[i] - y.working[i] + n)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; the negative of (end, start] when end is earlier.

        With T today and D a due date: days left while T < D, minus days overdue once T > D.
        """
        if end < start:
            return -self.working_days_between(end, start)
        ys = self._years.get(start.year) or self._year(start.year)
        ye = self._years.get(end.year) or self._year(end.year)
        through_start = ys.count_to[start.toordinal() - ys.first]
        through_end = ye.count_to[end.toordinal() - ye.first]
        if start.year == end.year:
            return through_end - through_start
        middle = sum(len(self._year(y).ordinals) for y in range(start.year + 1, end.year))
        return len(ys.ordinals) - through_start + middle + through_end

    def working_days_in_range(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days from start to end, both included; empty when end < start."""
        result: list[dt.date] = []
        lo, hi = start.toordinal(), end.toordinal()
        for year in range(start.year, end.year + 1):
            ordinals = self._year(year).ordinals
            chosen = ordinals[bisect_left(ordinals, lo) : bisect_right(ordinals, hi)]
            result.extend(map(dt.date.fromordinal, chosen))
        return result

    def day_with_working_days_left(self, due: dt.date, n: int) -> dt.date:
        """The working day T with working_days_between(T, due) == n (n >= 0).

        For a due date on a working day this is add_working_days(due, -n); for one at a weekend
        or on a bank holiday the count runs from the last working day before it.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        return self.add_working_days(self.previous_working_day(due), -n)

    def _working_day_at(self, year: int, index: int) -> dt.date:
        """The working day at 0-based position `index` counted from 1 January of `year`.

        index may run past the year's end or be negative; it then carries into other years.
        """
        y = self._year(year)
        while index >= len(y.ordinals):
            index -= len(y.ordinals)
            year += 1
            y = self._year(year)
        while index < 0:
            year -= 1
            y = self._year(year)
            index += len(y.ordinals)
        return dt.date.fromordinal(y.ordinals[index])


@cache
def _calendar(code: str) -> WorkingCalendar:
    return WorkingCalendar(code)


def calendar_for(region: str = DEFAULT_REGION) -> WorkingCalendar:
    """The shared WorkingCalendar of a region (a code or a name, see region_code)."""
    return _calendar(region_code(region))


@cache
def zone(tz: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name such as Europe/London; UserError if unknown."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise UserError(
            f'I don\'t know the time zone "{str(tz)[:40]}". Use a name like Europe/London.'
        ) from None


def at_local(d: dt.date, t: dt.time, tz: str) -> dt.datetime:
    """The aware datetime for wall-clock time t on d in tz.

    A time skipped when clocks go forward is moved forward by the gap (01:30 → 02:30 BST);
    a time that happens twice when they go back is the first (summer time) one.
    """
    zi = zone(tz)
    local = dt.datetime.combine(d, t.replace(tzinfo=None, fold=0), tzinfo=zi)
    return local.astimezone(dt.UTC).astimezone(zi)


def local_date(now: dt.datetime, tz: str) -> dt.date:
    """The date it is in tz at the aware moment now."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(zone(tz)).date()
