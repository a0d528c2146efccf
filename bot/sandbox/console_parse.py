"""Reading console lines: quoted arguments, text as Slack would send it, and clock targets."""

from __future__ import annotations

import datetime as dt
import re
import shlex

from bot.core.calendar import WorkingCalendar, at_local, local_date, zone
from bot.core.dates import format_moment, parse_uk_date
from bot.core.errors import UserError


class ConsoleError(Exception):
    """A console line that can't be done: one line for the person (and a failed script)."""


def split_args(text: str) -> list[str]:
    """Words, with "double" or 'single' quoted phrases kept together."""
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        raise ConsoleError(
            'a quote is not closed; put text in double quotes, e.g. note="carers\' forum moved"'
        ) from None


def unquote(text: str) -> str:
    """The text itself: surrounding double or single quotes taken off."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


# ---------------------------------------------------------------- clock

_OFFSET = re.compile(r"^\+(\d+)\s*(wd|w|d|h|m)$", re.I)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK_FORMS = (
    "clock 2019-05-16 09:00 · clock 16/05/2019 · clock +3d · clock +2h · clock +30m · "
    "clock +1w · clock +2wd (working days) · clock next 09:00 · clock next monday"
)


def parse_time(text: str) -> dt.time:
    match = _TIME.match(text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ConsoleError(f'"{text}" is not a time; use HH:MM, e.g. 09:00')
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_day(text: str) -> dt.date:
    try:
        return parse_uk_date(text).value
    except UserError as error:
        raise ConsoleError(str(error)) from None


def clock_target(
    args: list[str], now: dt.datetime, tz: str, calendar: WorkingCalendar
) -> dt.datetime:
    """The moment a `clock …` line names (it may be earlier than now; the caller checks)."""
    if not args:
        raise ConsoleError(f"say where to move the clock: {CLOCK_FORMS}")
    first = args[0].lower()
    if first.startswith("+"):
        match = _OFFSET.match("".join(args))
        if not match:
            raise ConsoleError(f'"{" ".join(args)}" is not a step forward; try {CLOCK_FORMS}')
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit == "wd":
            local = now.astimezone(zone(tz))
            day = calendar.add_working_days(local.date(), amount)
            return at_local(day, local.time().replace(tzinfo=None), tz)
        step = {
            "w": dt.timedelta(weeks=amount),
            "d": dt.timedelta(days=amount),
            "h": dt.timedelta(hours=amount),
            "m": dt.timedelta(minutes=amount),
        }[unit]
        if unit in {"w", "d"}:  # calendar days keep the wall-clock time across clock changes
            local = now.astimezone(zone(tz))
            day = local.date() + step
            return at_local(day, local.time().replace(tzinfo=None), tz)
        return now + step
    if first == "next":
        rest = [a.lower() for a in args[1:]]
        if not rest:
            raise ConsoleError("say what comes next: clock next 09:00, or clock next monday")
        today = local_date(now, tz)
        if rest[0] in _WEEKDAYS:
            wanted = _WEEKDAYS.index(rest[0])
            at = parse_time(rest[1]) if len(rest) > 1 else dt.time(9, 0)
            ahead = (wanted - today.weekday()) % 7 or 7
            return at_local(today + dt.timedelta(days=ahead), at, tz)
        at = parse_time(rest[0])
        day = today
        while True:
            moment = at_local(day, at, tz)
            if moment > now and calendar.is_working_day(day):
                return moment
            day += dt.timedelta(days=1)
    text = " ".join(args)
    if "T" in args[0] and len(args) == 1:
        date_part, _, time_part = args[0].partition("T")
        return at_local(parse_day(date_part), parse_time(time_part[:5]), tz)
    day = parse_day(args[0])
    if len(args) > 2:
        raise ConsoleError(f'"{text}" is not a date and time; try {CLOCK_FORMS}')
    at = parse_time(args[1]) if len(args) == 2 else dt.time(9, 0)
    return at_local(day, at, tz)


def nine_oclocks(
    after: dt.datetime, until: dt.datetime, tz: str, calendar: WorkingCalendar
) -> list[dt.datetime]:
    """Every working-day 09:00 (board-local) in (after, until], in order."""
    moments = []
    day = local_date(after, tz)
    last = local_date(until, tz)
    while day <= last:
        moment = at_local(day, dt.time(9, 0), tz)
        if after < moment <= until and calendar.is_working_day(day):
            moments.append(moment)
        day += dt.timedelta(days=1)
    return moments


def describe_moment(moment: dt.datetime, tz: str) -> str:
    """E.g. `Thursday 16 May 2019 09:00 BST`."""
    return format_moment(moment, zone(tz), weekday=True, zone_name=True)
