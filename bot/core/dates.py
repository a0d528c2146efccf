"""Dates typed by people: UK day-first, and a month on its own means the last day of that month.

The grammar is explicit rather than dateutil's parser, because that parser guesses: with
dayfirst=True it still reads 06/13/2019 as 13 June, and it fills missing parts from today.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.errors import UserError


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class ParsedDate:
    value: dt.date
    precision: DatePrecision

    def __str__(self) -> str:
        return format_day(self.value, self.precision)


ACCEPTED_DATE_FORMATS = "31/05/2019, 2019-05-31, 31 May 2019 or May 2019 (the end of May)"

MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES[1:], start=1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name[:3].lower()] = _number
_MONTHS["sept"] = 9

_WEEKDAYS: dict[str, int] = {}
for _number, _name in enumerate(WEEKDAY_NAMES):
    _WEEKDAYS[_name.lower()] = _number
    _WEEKDAYS[_name[:3].lower()] = _number
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

# Words a spreadsheet uses for "no date yet"; parse_uk_date_or_none reads them as None.
NO_DATE_WORDS = frozenset({"tbc", "tba", "tbd", "n/a", "na", "none", "ongoing", "-", "–", "—"})

_MIN_YEAR, _MAX_YEAR = 1900, 2199
_TIME_SUFFIX = re.compile(
    r"(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$", re.ASCII
)
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})", re.ASCII)
_YM = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_MY = re.compile(r"(\d{1,2})[-/.](\d{4})", re.ASCII)
_NUMBER = re.compile(r"(\d{1,4})(st|nd|rd|th)?", re.ASCII)
_FILLERS = frozenset({"of", "the"})


class _Unreadable(Exception):
    """Internal: the text is not a date; carries an optional reason for the person."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


def last_day_of_month(year: int, month: int) -> dt.date:
    """The last day of the given month."""
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def format_day(d: dt.date, precision: str = DatePrecision.DAY, *, weekday: bool = False) -> str:
    """The one way a date is shown to people: `31 May 2019`; `May 2019` for a date that means
    the end of a month; `Friday 31 May 2019` with weekday (meetings, the sandbox's clock).

    Day unpadded, month and weekday in full, so every message, document and CLI line reads
    alike. ISO dates stay for JSON, keys and file names; sheet cells keep their own formats.
    """
    if precision == DatePrecision.MONTH:
        return f"{MONTH_NAMES[d.month]} {d.year}"
    day = f"{d.day} {MONTH_NAMES[d.month]} {d.year}"
    return f"{WEEKDAY_NAMES[d.weekday()]} {day}" if weekday else day


def format_moment(
    moment: dt.datetime, tz: str | dt.tzinfo, *, weekday: bool = False, zone_name: bool = False
) -> str:
    """An aware moment as people read it where the board is: `31 May 2019 14:05`, with the
    weekday and the zone's abbreviation on request (`Friday 31 May 2019 14:05 BST`)."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    shown = f"{format_day(local.date(), weekday=weekday)} {local:%H:%M}"
    return f"{shown} {local.tzname()}" if zone_name else shown


def parse_uk_date(text: str) -> ParsedDate:
    """Read a date a person typed; raise UserError saying which forms work if it is not one."""
    cleaned = " ".join(text.split()).lower().strip(".,;") if isinstance(text, str) else ""
    if not cleaned:
        raise UserError(f"I need a date. Use {ACCEPTED_DATE_FORMATS}.")
    try:
        return _parse(cleaned)
    except _Unreadable as exc:
        shown = " ".join(text.split())
        if len(shown) > 40:
            shown = shown[:39] + "…"
        reason = f": {exc.reason}" if exc.reason else ""
        raise UserError(
            f'I can\'t read "{shown}" as a date{reason}. Use {ACCEPTED_DATE_FORMATS}.'
        ) from None


def parse_uk_date_or_none(value: object) -> ParsedDate | None:
    """A spreadsheet cell as a date: None when blank or a no-date word such as TBC.

    date and datetime cells are taken as they are (day precision); text goes through
    parse_uk_date, so unreadable text still raises UserError.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return ParsedDate(value.date(), DatePrecision.DAY)
    if isinstance(value, dt.date):
        return ParsedDate(value, DatePrecision.DAY)
    text = str(value).strip()
    if not text or text.lower().rstrip(".") in NO_DATE_WORDS:
        return None
    return parse_uk_date(text)


def _parse(s: str) -> ParsedDate:
    s = _TIME_SUFFIX.sub("", s).strip()
    if m := _YMD.fullmatch(s):
        return _day(int(m[1]), int(m[3]), int(m[4]))
    if m := _DMY.fullmatch(s):
        return _day(_year(m[4]), int(m[3]), int(m[1]), day_first=True)
    if m := _YM.fullmatch(s):
        return _month(int(m[1]), int(m[2]))
    if m := _MY.fullmatch(s):
        return _month(int(m[2]), int(m[1]))
    return _parse_words(s)


def _parse_words(s: str) -> ParsedDate:
    tokens = [t for t in re.split(r"[\s,/.()\-]+", s) if t and t not in _FILLERS]
    weekday = None
    if tokens and tokens[0] in _WEEKDAYS:
        weekday = _WEEKDAYS[tokens.pop(0)]
    shape = "".join("m" if t in _MONTHS else "n" if _NUMBER.fullmatch(t) else "?" for t in tokens)

    if shape == "nmn":  # 5 June 2019, 5th of June 2019, 5-Jun-19
        day, month, year = _plain_day(tokens[0]), _MONTHS[tokens[1]], _plain_year(tokens[2])
    elif shape == "mnn":  # June 5 2019, June 5th, 2019
        month, day, year = _MONTHS[tokens[0]], _plain_day(tokens[1]), _plain_year(tokens[2])
    elif shape == "mn" and weekday is None:  # May 2019, May-19
        return _month(_plain_year(tokens[1]), _MONTHS[tokens[0]])
    else:
        raise _Unreadable()

    parsed = _day(year, month, day)
    if weekday is not None and parsed.value.weekday() != weekday:
        raise _Unreadable(
            f"{format_day(parsed.value)} is a {WEEKDAY_NAMES[parsed.value.weekday()]}"
        )
    return parsed


def _plain_day(token: str) -> int:
    m = _NUMBER.fullmatch(token)
    if not m or len(m[1]) > 2:
        raise _Unreadable()
    return int(m[1])


def _plain_year(token: str) -> int:
    if not re.fullmatch(r"\d{2}|\d{4}", token, re.ASCII):
        raise _Unreadable()
    return _year(token)


def _year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _check_year_month(year: int, month: int, swapped_hint: bool = False) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _Unreadable(f"the year should be between {_MIN_YEAR} and {_MAX_YEAR}")
    if not 1 <= month <= 12:
        raise _Unreadable("the day comes first, then the month" if swapped_hint else "")


def _day(year: int, month: int, day: int, day_first: bool = False) -> ParsedDate:
    # 06/13/2019 is most likely month-first: say so rather than just refusing.
    _check_year_month(year, month, swapped_hint=day_first and 1 <= day <= 12 < month <= 31)
    last = last_day_of_month(year, month).day
    if not 1 <= day <= last:
        raise _Unreadable(f"{MONTH_NAMES[month]} {year} has {last} days" if day else "")
    return ParsedDate(dt.date(year, month, day), DatePrecision.DAY)


def _month(year: int, month: int) -> ParsedDate:
    _check_year_month(year, month)
    return ParsedDate(last_day_of_month(year, month), DatePrecision.MONTH)
