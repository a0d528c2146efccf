"""Board meeting cycles: an RFC 5545 RRULE, plus one-off meetings added or cancelled."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from bot.core.calendar import at_local
from bot.core.dates import WEEKDAY_NAMES, DatePrecision, format_day, parse_uk_date
from bot.core.errors import UserError

MEETING_RULE_EXAMPLES = (
    '"second Tuesday monthly", "last Thursday of every month", "every 6 weeks from 15/01/2019", '
    '"fortnightly on Thursday", "monthly on the 15th" or an RRULE such as FREQ=MONTHLY;BYDAY=+2TU'
)

_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ORDINAL_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
# The parts a meeting cycle may use, in the order rules are written back.
_PART_ORDER = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
)
_BYDAY_ITEM = re.compile(r"([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)", re.ASCII)
_INT_LIST = re.compile(r"[+-]?\d{1,3}(?:,[+-]?\d{1,3})*", re.ASCII)


@dataclass(frozen=True)
class MeetingCycle:
    """When a board meets. `rule` is RRULE text without DTSTART; `start` is its DTSTART."""

    rule: str | None
    start: dt.date
    time: dt.time = dt.time(10, 0)
    tz: str = "Europe/London"
    added: frozenset[dt.date] = frozenset()
    cancelled: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "added", frozenset(self.added))
        object.__setattr__(self, "cancelled", frozenset(self.cancelled))
        if self.rule is not None:
            _compiled(self.rule, self.start)  # a bad stored rule fails here, not mid-sweep

    def occurrences(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Meetings from start to end, both included, sorted; cancellations win over additions."""
        if end < start:
            return []
        found = {d for d in self.added if start <= d <= end}
        if self.rule is not None:
            rule = _compiled(self.rule, self.start)
            found.update(x.date() for x in rule.between(_midnight(start), _midnight(end), True))
        return sorted(found - self.cancelled)

    def next_meeting(self, on_or_after: dt.date) -> dt.date | None:
        candidates = [d for d in self.added if d >= on_or_after and d not in self.cancelled]
        if self.rule is not None:
            rule = _compiled(self.rule, self.start)
            x = rule.after(_midnight(on_or_after), inc=True)
            while x is not None and x.date() in self.cancelled:
                x = rule.after(x)
            if x is not None:
                candidates.append(x.date())
        return min(candidates, default=None)

    def previous_meeting(self, before: dt.date) -> dt.date | None:
        """The last meeting strictly before `before`."""
        candidates = [d for d in self.added if d < before and d not in self.cancelled]
        if self.rule is not None:
            rule = _compiled(self.rule, self.start)
            x = rule.before(_midnight(before))
            while x is not None and x.date() in self.cancelled:
                x = rule.before(x)
            if x is not None:
                candidates.append(x.date())
        return max(candidates, default=None)

    def meeting_datetime(self, d: dt.date) -> dt.datetime:
        """The aware moment a meeting on d starts, in the board's time zone."""
        return at_local(d, self.time, self.tz)

    def describe(self) -> str:
        """E.g. `second Tuesday of every month from 8 January 2019 at 10:00`."""
        at = f"at {self.time:%H:%M}"
        if self.rule is None:
            return f"no regular cycle ({at})"
        return f"{describe_rule(self.rule)} from {format_day(self.start)} {at}"


def _midnight(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day)


# --- RRULE text -------------------------------------------------------------------------------


def _bad_rule(text: str, reason: str = "") -> UserError:
    shown = " ".join(text.split())
    if len(shown) > 60:
        shown = shown[:59] + "…"
    reason = f": {reason}" if reason else ""
    return UserError(
        f'I can\'t read "{shown}" as a meeting cycle{reason}. Try {MEETING_RULE_EXAMPLES}.'
    )


def _rule_parts(text: str) -> dict[str, str]:
    """Validate RRULE text strictly and return its parts in canonical form."""
    body = "".join(text.split()).upper()
    body = body.removeprefix("RRULE:").strip(";")
    parts: dict[str, str] = {}
    for item in body.split(";"):
        name, sep, value = item.partition("=")
        if not sep or not value or not name.isalpha() or name in parts:
            raise _bad_rule(text)
        parts[name] = value
    unknown = set(parts) - set(_PART_ORDER)
    if unknown:
        raise _bad_rule(text, f"{sorted(unknown)[0]} is not used for meeting cycles")
    if parts.get("FREQ") not in ("WEEKLY", "MONTHLY", "YEARLY"):
        raise _bad_rule(text, "meetings repeat weekly, monthly or yearly (FREQ=WEEKLY…)")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _bad_rule(text, "use COUNT or UNTIL, not both")
    for name, check in _PART_CHECKS.items():
        if name in parts:
            canonical = check(parts[name])
            if canonical is None:
                raise _bad_rule(text, f"{name}={parts[name]} is not valid")
            parts[name] = canonical
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    return {name: parts[name] for name in _PART_ORDER if name in parts}


def _check_ints(value: str, low: int, high: int, signed: bool) -> str | None:
    if not _INT_LIST.fullmatch(value):
        return None
    numbers = [int(v) for v in value.split(",")]
    if any(not low <= abs(n) <= high or (n < 0 and not signed) for n in numbers):
        return None
    return ",".join(str(n) for n in numbers)


def _check_byday(value: str) -> str | None:
    items = []
    for item in value.split(","):
        m = _BYDAY_ITEM.fullmatch(item)
        if not m or (m[1] and not m[2]):
            return None
        if m[2] is None:
            items.append(m[3])
            continue
        n = int(m[2])
        if not 1 <= n <= 53:
            return None
        items.append(f"{'-' if m[1] == '-' else '+'}{n}{m[3]}")
    return ",".join(items)


def _check_until(value: str) -> str | None:
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T\d{6}Z?)?", value, re.ASCII)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).strftime("%Y%m%d")
    except ValueError:
        return None


_PART_CHECKS: dict[str, Callable[[str], str | None]] = {
    "INTERVAL": lambda v: _check_ints(v, 1, 999, signed=False) if "," not in v else None,
    "COUNT": lambda v: _check_ints(v, 1, 999, signed=False) if "," not in v else None,
    "UNTIL": _check_until,
    "BYMONTH": lambda v: _check_ints(v, 1, 12, signed=False),
    "BYMONTHDAY": lambda v: _check_ints(v, 1, 31, signed=True),
    "BYDAY": _check_byday,
    "BYSETPOS": lambda v: _check_ints(v, 1, 366, signed=True),
    "WKST": lambda v: v if v in _CODES else None,
}


def _join(parts: dict[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in parts.items())


# Dates repeat every 400 years (146,097 days, a whole number of weeks). dateutil searches until
# year 9999 for a rule that never matches (FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2), which takes
# seconds; probing a copy moved forward by a multiple of 400 years caps that search.
_PROBE_TOP_YEAR = 9599


def _first_occurrence(rule: rrule) -> dt.date | None:
    """The rule's first date on or after its DTSTART, searching at most ~800 years."""
    # dateutil keeps DTSTART and UNTIL only in private attributes.
    start: dt.datetime = rule._dtstart  # type: ignore[attr-defined]
    until: dt.datetime | None = rule._until  # type: ignore[attr-defined]
    shift = max(0, (_PROBE_TOP_YEAR - start.year) // 400 * 400)
    if until is not None:
        until = until.replace(year=until.year + shift) if until.year + shift <= 9999 else None
    probe = rule.replace(dtstart=start.replace(year=start.year + shift), until=until)
    first = probe.after(probe._dtstart, inc=True)  # type: ignore[attr-defined]
    return None if first is None else first.date().replace(year=first.year - shift)


@lru_cache(maxsize=1024)
def _compiled(rule_text: str, start: dt.date) -> rrule:
    parts = _rule_parts(rule_text)
    try:
        rule = rrulestr(_join(parts), dtstart=_midnight(start), cache=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _bad_rule(rule_text) from exc
    if not isinstance(rule, rrule):
        raise _bad_rule(rule_text)
    first = _first_occurrence(rule)
    if first is None:
        raise _bad_rule(rule_text, f"it gives no meeting after {format_day(start)}")
    if (first - start).days > 366:
        raise _bad_rule(rule_text, f"it gives no meeting in the year after {format_day(start)}")
    return rule


def describe_rule(rule: str) -> str:
    """Words for a rule: `second Tuesday of every month`, `every 6 weeks` …"""
    parts = _rule_parts(rule)
    text = _describe_parts(parts)
    if text is None:
        return _join(parts)
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        until = dt.datetime.strptime(parts["UNTIL"], "%Y%m%d").date()
        text += f", until {format_day(until)}"
    return text


def _describe_parts(parts: dict[str, str]) -> str | None:
    freq = parts["FREQ"]
    n = int(parts.get("INTERVAL", "1"))
    # BYDAY was checked by _check_byday, so every item matches.
    days = [m for item in parts.get("BYDAY", "").split(",") if (m := _BYDAY_ITEM.fullmatch(item))]
    monthdays = [int(v) for v in parts.get("BYMONTHDAY", "").split(",") if v]
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}:
        return None
    if freq == "WEEKLY":
        if monthdays or any(m[2] for m in days):
            return None
        every = {1: "every week", 2: "every fortnight"}.get(n, f"every {n} weeks")
        names = [WEEKDAY_NAMES[_CODES.index(m[3])] for m in days]
        return f"{every} on {_and(names)}" if names else every
    if freq == "MONTHLY":
        if days and monthdays:
            return None
        if days:
            weekdays = {m[3] for m in days}
            ordinals = [int(m[1] + m[2]) if m[2] else 0 for m in days]
            if len(weekdays) != 1 or any(k not in _ORDINAL_NAMES for k in ordinals):
                return None
            what = f"{_and([_ORDINAL_NAMES[k] for k in ordinals])} "
            what += WEEKDAY_NAMES[_CODES.index(days[0][3])]
        elif monthdays:
            if any(k < 0 for k in monthdays) and monthdays != [-1]:
                return None
            what = "the last day" if monthdays == [-1] else f"the {_and(map(_nth, monthdays))}"
        else:
            return "every month" if n == 1 else f"every {n} months"
        return f"{what} of every month" if n == 1 else f"{what}, every {n} months"
    if freq == "YEARLY" and not days and not monthdays:
        return "every year" if n == 1 else f"every {n} years"
    return None


def _and(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _nth(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


# --- words people type --------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "other": 2,  # every other week
}
_ORDINAL_WORDS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_WEEKDAY_WORDS: dict[str, str] = {}
for _code, _name in zip(_CODES, WEEKDAY_NAMES, strict=True):
    for _word in (_name.lower(), _name.lower() + "s", _name[:3].lower()):
        _WEEKDAY_WORDS[_word] = _code
_WEEKDAY_WORDS.update({"tues": "TU", "weds": "WE", "thur": "TH", "thurs": "TH"})
_UNITS = {
    "week": "WEEKLY",
    "weeks": "WEEKLY",
    "month": "MONTHLY",
    "months": "MONTHLY",
    "year": "YEARLY",
    "years": "YEARLY",
}
_ADVERBS = {
    "weekly": ("WEEKLY", 1),
    "fortnightly": ("WEEKLY", 2),
    "fortnight": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "quarterly": ("MONTHLY", 3),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
}
_FILLERS = frozenset(
    [
        "every",
        "each",
        "of",
        "the",
        "on",
        "a",
        "an",
        "per",
        "in",
        "and",
        "meets",
        "meet",
        "meeting",
        "meetings",
        "board",
        "is",
        "held",
    ]
)
_FROM = re.compile(
    r"\b(?:starting(?:\s+(?:from|on))?|from|beginning|commencing)\b\s*(?P<date>.*)$",
    re.IGNORECASE,
)


def parse_meeting_rule(text: str, today: dt.date) -> tuple[str, dt.date]:
    """Read a meeting cycle typed by a person; return (RRULE text, date of the first meeting).

    Takes an RRULE (with or without `RRULE:`) or words such as "second Tuesday monthly" or
    "every 6 weeks from 15/01/2019". Without a "from" date the cycle starts on `today`.
    """
    if not text or not text.strip():
        raise UserError(f"Say when the board meets. Try {MEETING_RULE_EXAMPLES}.")
    pattern, start = text.strip(), today
    if m := _FROM.search(pattern):
        pattern = pattern[: m.start()].strip()
        start = _start_date(m["date"])
    if not pattern:
        raise _bad_rule(text)

    if "=" in pattern:
        parts = _rule_parts(pattern)
        rule = _join(parts)
        first = _first_occurrence(_compiled(rule, start))
    else:
        parts = _words_to_parts(pattern, text, start)
        # For words, "every 4 weeks on Wednesday from Thursday 17th" means the Wednesday
        # after, so the cycle starts at the first matching day regardless of INTERVAL.
        anchor = _join({k: v for k, v in parts.items() if k != "INTERVAL"})
        first = _first_occurrence(_compiled(anchor, start))
        rule = _join(parts)
    assert first is not None  # _compiled refuses rules that never give a meeting
    _compiled(rule, first)
    return rule, first


def _start_date(text: str) -> dt.date:
    text = text.strip()
    if not text:
        raise UserError("Give the date of the first meeting after “from”, e.g. from 15/01/2019.")
    parsed = parse_uk_date(text)
    if parsed.precision != DatePrecision.DAY:
        raise UserError(
            f"Give the day of the first meeting, not just the month, e.g. from 15/01/2019 "
            f"rather than {parsed}."
        )
    return parsed.value


def _words_to_parts(pattern: str, text: str, start: dt.date) -> dict[str, str]:
    tokens = re.sub(r"[,.;:()\-–]", " ", pattern.lower()).split()
    freq: tuple[str, int] | None = None
    nth: list[str] = []
    weekdays: list[str] = []
    monthdays: list[int] = []

    def set_freq(value: tuple[str, int]) -> None:
        nonlocal freq
        if freq is not None and freq != value:
            raise _bad_rule(text, "it gives two different frequencies")
        freq = value

    i = 0
    while i < len(tokens):
        word, following = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
        count = int(word) if word.isascii() and word.isdigit() else _NUMBER_WORDS.get(word)
        if word in _ORDINAL_WORDS and following in _WEEKDAY_WORDS:
            k = _ORDINAL_WORDS[word]
            nth.append(f"{'+' if k > 0 else ''}{k}{_WEEKDAY_WORDS[following]}")
            i += 2
        elif word in ("first", "1st", "last") and following == "day":
            monthdays.append(1 if word != "last" else -1)
            i += 2
        elif count is not None and (following in _UNITS or following in _ADVERBS):
            unit = _UNITS.get(following) or _ADVERBS[following][0]
            if not 1 <= count <= 99 or following in ("fortnightly", "fortnight", "quarterly"):
                raise _bad_rule(text)
            set_freq((unit, count))
            i += 2
        elif word in _ADVERBS:
            set_freq(_ADVERBS[word])
            i += 1
        elif word in _UNITS:
            set_freq((_UNITS[word], 1))
            i += 1
        elif word in _WEEKDAY_WORDS:
            weekdays.append(_WEEKDAY_WORDS[word])
            i += 1
        elif m := re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", word, re.ASCII):
            monthdays.append(int(m[1]))
            i += 1
        elif word in _FILLERS:
            i += 1
        else:
            raise _bad_rule(text)

    if sum(map(bool, (nth, weekdays, monthdays))) > 1:
        raise _bad_rule(text, "give a weekday or a day of the month, not both")
    if nth or monthdays:
        freq = freq or ("MONTHLY", 1)
        if freq[0] != "MONTHLY":
            raise _bad_rule(text, "a day like that repeats monthly")
    elif weekdays:
        freq = freq or ("WEEKLY", 1)
        if freq[0] != "WEEKLY":
            raise _bad_rule(text, "say which one in the month, e.g. second Tuesday monthly")
    if freq is None:
        raise _bad_rule(text)

    for k in monthdays:
        if not (1 <= k <= 28 or k == -1):
            raise _bad_rule(
                text, "not every month has that day; use a day up to 28th or “the last day”"
            )
    if freq[0] == "MONTHLY" and not (nth or monthdays) and start.day > 28:
        raise _bad_rule(text, "not every month has that day; start on a day up to 28th")

    parts = {"FREQ": freq[0], "INTERVAL": str(freq[1])}
    if monthdays:
        parts["BYMONTHDAY"] = ",".join(map(str, monthdays))
    if nth or weekdays:
        parts["BYDAY"] = ",".join(dict.fromkeys(nth or weekdays))
    return _rule_parts(_join(parts))
