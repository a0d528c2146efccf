"""A plan's due-date cell read as the officer meant it (issue 9).

A cell is a date (`31/03/2020`, `May-19`, `End March 2020`), a UK financial-year period
(`Q2 2019/20` is the end of September 2019: Q1 is April to June; a bare `2019/20` is
31 March 2020), a week (`w/c 20/01/2020` is that week's Friday), two months (`Jan/Feb 2020`
is the end of February), a revision (`31/03/2020 - revised to 30/06/2020`: due the later,
the earlier kept as the original), a status (`Complete`, `Done`), or text that is not a date
(`Ongoing`, `Quarterly`, `Spring 2020`), kept as it is and shown where the date would be.

Reading never fails: text that is not a date is kept. `how` says how a cell other than a
plain date was read, for the import summary; `doubt` marks cells an officer should check.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.dates import (
    MONTH_NAMES,
    DatePrecision,
    ParsedDate,
    format_day,
    last_day_of_month,
    parse_uk_date,
)
from bot.core.errors import UserError

COMPLETE_WORDS = frozenset({"complete", "completed", "done", "achieved", "closed"})
# Words that say "no date" without any doubt: kept as the cell's text.
NO_DATE_TEXT = re.compile(
    r"^(?:on[\s-]?going|tbc|tba|tbd|n/?a|none|-+|–|—|\?|quarterly|monthly|weekly|annually|"
    r"annual|yearly|fortnightly|bi-?monthly|six[\s-]monthly|termly|daily|continuous|"
    r"as required|as needed|each meeting|every meeting|at each meeting|"
    r"prior to (?:the )?inspection|(?:spring|summer|autumn|winter)(?: term)?\b.*)$",
    re.I,
)
_FILLER = re.compile(r"^(?:by\s+)?(?:the\s+)?(?:end\s+(?:of\s+)?)?(?:the\s+)?", re.I)
_REVISED_MARK = re.compile(r"\s*[(\[]?\s*(?:revised|rev\.?|amended|updated)\s*[)\]]?\s*$", re.I)
_REVISION = re.compile(
    r"^(?P<old>.+?)\s*(?:[-–—,;:]\s*|\s)\s*(?:\(?\s*)(?:revised|rev\.?|amended|changed|moved|"
    r"extended|updated|new date)(?:\s+(?:target\s+)?date)?\s*(?:to|:)?\s*(?P<new>.+?)\s*\)?$",
    re.I,
)
_YEARS = r"(?P<y1>\d{4}|\d{2})\s*[/\-–]\s*(?P<y2>\d{4}|\d{2})"
_QUARTER = re.compile(
    rf"^(?:q|qtr|quarter)\s*(?P<q>[1-4])\s*(?:of\s+)?(?:fy\s*)?{_YEARS}$"
    rf"|^(?:fy\s*)?{_YEARS.replace('y1', 'z1').replace('y2', 'z2')}\s*,?\s*(?:q|qtr|quarter)\s*"
    r"(?P<r>[1-4])$",
    re.I,
)
# "30/06/2020 (was 31/03/2020)", "Revised: 30/06/2020 (originally 31/03/2020)"
_WAS = re.compile(
    r"^(?:(?:revised|new date)\s*:?\s*)?(?P<new>.+?)\s*[(\[]\s*(?:was|originally|orig\.?|"
    r"previously)\s*:?\s*(?P<old>.+?)\s*[)\]]$",
    re.I,
)
# "Completed June 2019", "Jun 2019 (achieved)", "30/06/2019 - complete": done, and when
_COMPLETE_WORD = r"(?:completed|complete|done|achieved|closed)"
_COMPLETED_ON = re.compile(
    rf"^{_COMPLETE_WORD}\s*(?:on|in|by|:|-|–|—)?\s*(?P<a>.+)$"
    rf"|^(?P<b>.+?)\s*(?:[(\[]\s*{_COMPLETE_WORD}\s*[)\]]|[-–—,:]\s*{_COMPLETE_WORD})$",
    re.I,
)
_FINANCIAL_YEAR = re.compile(rf"^(?:fy\s*|financial year\s*)?{_YEARS}$", re.I)
_WEEK_COMMENCING = re.compile(
    r"^(?:w/?c|wc|w\.c\.|week commencing|week beginning|w/b)\s*(.+)$", re.I
)
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_TWO_MONTHS = re.compile(
    rf"^(?P<m1>{_MONTH_WORD})(?:\s+(?P<y1>\d{{4}}|\d{{2}}))?\s*(?:/|-|–|&|and|to|or)\s*"
    rf"(?P<m2>{_MONTH_WORD})\s*[-\s]?\s*(?P<y2>\d{{4}}|\d{{2}})$",
    re.I,
)
_DATE_LIKE = re.compile(r"\d|" + _MONTH_WORD, re.I)


@dataclass(frozen=True)
class DueReading:
    """What a due cell says; `due` None with `text` set is a cell kept as text."""

    due: dt.date | None = None
    precision: DatePrecision = DatePrecision.DAY
    original: dt.date | None = None  # a revision's first date
    original_precision: DatePrecision = DatePrecision.DAY
    complete: bool = False
    text: str | None = None  # the cell's words, kept when they are not a date
    how: str | None = None  # how a cell other than a plain date was read
    doubt: bool = False


def read_due_text(text: str) -> DueReading:
    """Read a due cell's text. Never raises; `how` is None only for a plain date or blank."""
    cell = " ".join(str(text).split())
    if not cell:
        return DueReading()
    bare = cell.strip(" .")
    if bare.lower() in COMPLETE_WORDS:
        return DueReading(complete=True, how=f'read "{cell}" as complete, with no due date')
    if NO_DATE_TEXT.match(bare):
        return DueReading(text=cell, how=f'kept "{cell}" as text: not a date')

    single = _single(bare)
    if single is not None:
        parsed, how = single
        return DueReading(parsed.value, parsed.precision, how=how)

    for pattern in (_REVISION, _WAS):
        match = pattern.match(bare)
        if match is None:
            continue
        old, new = _single(match["old"]), _single(match["new"])
        if old is not None and new is not None:
            first, second = sorted((old[0], new[0]), key=lambda p: p.value)
            return DueReading(
                second.value,
                second.precision,
                original=first.value,
                original_precision=first.precision,
                how=f'read "{cell}" as due {second}, revised from {first}',
            )

    if (match := _COMPLETED_ON.match(bare)) is not None:
        when = _single(match["a"] or match["b"])
        if when is not None:
            return DueReading(
                when[0].value,
                when[0].precision,
                complete=True,
                how=f'read "{cell}" as complete, due {when[0]}',
            )

    reason = _why_not(bare)
    if reason is not None:
        return DueReading(text=cell, how=f'kept "{cell}" as text: {reason}', doubt=True)
    return DueReading(text=cell, how=f'kept "{cell}" as text: not a date')


def _single(text: str) -> tuple[ParsedDate, str | None] | None:
    """One date or period, and how it was read (None for a plain date)."""
    text = text.strip(" .,;")
    leading = re.match(r"(?i)(?:revised|new date|amended)\s*(?:to|:)?\s*", text)
    if leading and leading.end() < len(text):
        inner = _single(text[leading.end() :])
        if inner is not None:
            return inner[0], f'read "{text}" as {inner[0]}'
    revised = _REVISED_MARK.search(text)
    if revised and revised.start() > 0:
        inner = _single(text[: revised.start()])
        if inner is not None:
            return inner[0], f'read "{text}" as {inner[0]}'
    if (match := _QUARTER.match(text)) is not None:
        quarter = int(match["q"] or match["r"])
        years = _financial_years(match["y1"] or match["z1"], match["y2"] or match["z2"])
        if years is not None:
            end = quarter_end(years[0], quarter)
            label = f"Q{quarter} {years[0]}/{str(years[1])[-2:]}"
            return (
                ParsedDate(end, DatePrecision.MONTH),
                f'read "{text}" as {format_day(end)} (the end of {label}; Q1 is April to June)',
            )
    if (match := _FINANCIAL_YEAR.match(text)) is not None:
        years = _financial_years(match["y1"], match["y2"])
        if years is not None:
            end = dt.date(years[1], 3, 31)
            return (
                ParsedDate(end, DatePrecision.MONTH),
                f'read "{text}" as {format_day(end)} (the end of financial year '
                f"{years[0]}/{str(years[1])[-2:]})",
            )
    if (match := _WEEK_COMMENCING.match(text)) is not None:
        start = _plain(match[1])
        if start is not None and start.precision == DatePrecision.DAY:
            friday = start.value + dt.timedelta(days=4 - start.value.weekday())
            return (
                ParsedDate(friday, DatePrecision.DAY),
                f'read "{text}" as Friday {format_day(friday)}, the end of that week',
            )
    if (match := _TWO_MONTHS.match(text)) is not None:
        later = _plain(f"{match['m2']} {match['y2']}")
        if later is not None:
            return later, f'read "{text}" as {later}, the later month'
    plain = _plain(text)
    if plain is not None:
        filler = _FILLER.match(text)
        how = None if not filler or not filler.group(0) else f'read "{text}" as {plain}'
        return plain, how
    return None


def _plain(text: str) -> ParsedDate | None:
    for candidate in (text, _FILLER.sub("", text)):
        if not candidate:
            continue
        try:
            return parse_uk_date(candidate)
        except UserError:
            continue
    return None


def _financial_years(first: str, second: str) -> tuple[int, int] | None:
    """(2019, 2020) for 2019/20, 19/20, 2019-2020; None unless the years follow each other."""
    start = 2000 + int(first) if len(first) == 2 else int(first)
    end_digits = int(second)
    end = (start // 100) * 100 + end_digits if len(second) == 2 else end_digits
    if end != start + 1 or not 1900 <= start <= 2198:
        return None
    return start, end


def quarter_end(start_year: int, quarter: int) -> dt.date:
    """The last day of a UK financial-year quarter: Q1 of 2019/20 ends on 30 June 2019."""
    month = (3 + 3 * quarter - 1) % 12 + 1
    year = start_year + 1 if quarter == 4 else start_year
    return last_day_of_month(year, month)


def _why_not(text: str) -> str | None:
    """Why text that looks like a date is not one, or None when it does not look like one."""
    if not _DATE_LIKE.search(text):
        return None
    try:
        parse_uk_date(_FILLER.sub("", text) or text)
    except UserError as error:
        message = error.message
        if ": " in message and "as a date:" in message:
            return message.split("as a date: ", 1)[1].split(". Use", 1)[0]
    return "it looks like a date but I can't read it; check it"


def month_label(day: dt.date) -> str:
    return f"{MONTH_NAMES[day.month]} {day.year}"
