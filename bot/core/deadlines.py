"""Statutory and board deadlines: a due date, often set as N working days from a start date,
counted down in working days of the board's region. Pure: dates and a calendar in, values out.

Working days follow WorkingCalendar: "70 working days from 12/03/2019" is the 70th working day
after 12 March, the start day itself not counted (the way Ofsted and councils count).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from bot.core.calendar import WorkingCalendar
from bot.core.dates import DatePrecision, format_day, parse_uk_date
from bot.core.errors import UserError

# Working days before the due date at which owner, admins and chair are reminded (0 = the
# last working day, which is the due date itself when that is a working day).
DEADLINE_REMINDER_POINTS: tuple[int, ...] = (20, 10, 5, 0)

MAX_WORKING_DAYS = 1000  # about four years; anything longer is a typing slip


@dataclass(frozen=True)
class WorkingDaysRule:
    """How a due date was set: `working_days` working days from `start`."""

    start: dt.date
    working_days: int

    def describe(self) -> str:
        return f"{_days(self.working_days)} from {_day(self.start)}"


@dataclass(frozen=True)
class Deadline:
    title: str
    due: dt.date
    rule: WorkingDaysRule | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class Countdown:
    title: str
    due: dt.date
    working_days_left: int  # negative once overdue; 0 on the last working day
    overdue: bool  # the due date has passed
    text: str

    @property
    def red(self) -> bool:
        """Overdue deadlines show red everywhere a status colour is shown."""
        return self.overdue


def _day(d: dt.date) -> str:
    """`Friday 21 June 2019`."""
    return format_day(d, weekday=True)


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def due_from_working_days(start: dt.date, n: int, calendar: WorkingCalendar) -> dt.date:
    """The n-th working day after start (start itself not counted; n == 0 is start)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return calendar.add_working_days(start, n)


def deadline_from_working_days(
    title: str, start: dt.date, n: int, calendar: WorkingCalendar, owner_id: int | None = None
) -> Deadline:
    due = due_from_working_days(start, n, calendar)
    return Deadline(title, due, WorkingDaysRule(start, n), owner_id)


def countdown(deadline: Deadline, today: dt.date, calendar: WorkingCalendar) -> Countdown:
    """Working days left from today (today not counted) to the due date, or days overdue.

    A due date at a weekend or on a bank holiday counts from the working day before it, so the
    Friday before a Saturday due date shows 0 left; the day after the due date is overdue even
    when no working day has passed yet.
    """
    due = deadline.due
    if today <= due:
        left = calendar.working_days_between(today, due)
        if today == due:
            when = f"due today, {_day(due)}"
        elif left == 0:
            when = f"last working day, due {_day(due)}"
        else:
            when = f"{_days(left)} left, due {_day(due)}"
        return Countdown(deadline.title, due, left, False, f"{deadline.title}: {when}")
    late = calendar.working_days_between(due, today)
    if late == 0:
        when = f"overdue, was due {_day(due)}"
    else:
        when = f"{_days(late)} overdue, was due {_day(due)}"
    return Countdown(deadline.title, due, -late, True, f"{deadline.title}: {when}")


def deadline_reminders_due(
    deadline: Deadline,
    today: dt.date,
    calendar: WorkingCalendar,
    points: tuple[int, ...] = DEADLINE_REMINDER_POINTS,
) -> tuple[int, ...]:
    """The reminder points (working days left) that fall on today: empty or one value.

    Only working days send reminders, like every other message. A deadline added with fewer
    days left than a point never sends that point late.
    """
    if today > deadline.due or not calendar.is_working_day(today):
        return ()
    left = calendar.working_days_between(today, deadline.due)
    return (left,) if left in points else ()


# --- Named clocks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockParameter:
    name: str
    meaning: str


@dataclass(frozen=True)
class NamedClock:
    """A deadline people set often, offered by name with what it counts from."""

    key: str
    title: str
    counts_from: str
    explanation: str
    parameters: tuple[ClockParameter, ...] = ()


STATEMENT_OF_ACTION = NamedClock(
    key="statement-of-action",
    title="Written statement of action to Ofsted",
    counts_from="the date the ILACS inspection report is published",
    explanation=(
        "After an ILACS inspection judges a council's children's services inadequate (or finds "
        "areas for priority action), the council must send Ofsted a written statement of the "
        "action it will take within 70 working days of the report. The number is fixed."
    ),
)
MONITORING_VISIT = NamedClock(
    key="monitoring-visit",
    title="Next Ofsted monitoring visit",
    counts_from="the date of the last monitoring visit (or of the action planning visit)",
    explanation=(
        "While a council is judged inadequate Ofsted carries out monitoring visits, usually "
        "about quarterly; Ofsted sets the actual dates, so the interval is the board's own "
        "expectation and must be given."
    ),
    parameters=(ClockParameter("months", "calendar months between visits, e.g. 3"),),
)
SCRUTINY_REPORT = NamedClock(
    key="scrutiny-report",
    title="Report to scrutiny committee",
    counts_from="the date the scrutiny committee meets",
    explanation=(
        "Progress goes on to the council's scrutiny committee. Papers must be open to the "
        "public at least five clear days before the meeting (Local Government Act 1972, "
        "s.100B), and each council sets its own earlier deadline for report authors, so the "
        "number of working days before the meeting must be given."
    ),
    parameters=(ClockParameter("working_days_before", "working days before the meeting, e.g. 10"),),
)
NAMED_CLOCKS: dict[str, NamedClock] = {
    c.key: c for c in (STATEMENT_OF_ACTION, MONITORING_VISIT, SCRUTINY_REPORT)
}
STATEMENT_OF_ACTION_WORKING_DAYS = 70


def statement_of_action(
    published: dt.date, calendar: WorkingCalendar, owner_id: int | None = None
) -> Deadline:
    return deadline_from_working_days(
        STATEMENT_OF_ACTION.title,
        published,
        STATEMENT_OF_ACTION_WORKING_DAYS,
        calendar,
        owner_id,
    )


def next_monitoring_visit(
    last_visit: dt.date, months: int, calendar: WorkingCalendar, owner_id: int | None = None
) -> Deadline:
    """`months` calendar months after the last visit, on the next working day if that isn't one
    (31 Jan + 1 month is 28/29 Feb)."""
    if not 1 <= months <= 24:
        raise UserError("Give the months between monitoring visits as a number from 1 to 24.")
    expected = calendar.next_working_day(last_visit + relativedelta(months=months))
    return Deadline(MONITORING_VISIT.title, expected, None, owner_id)


def scrutiny_report(
    meeting: dt.date,
    working_days_before: int,
    calendar: WorkingCalendar,
    owner_id: int | None = None,
) -> Deadline:
    """The report is due `working_days_before` working days before the committee meets."""
    if not 0 <= working_days_before <= 60:
        raise UserError("Give the working days before the scrutiny meeting as 0 to 60.")
    due = calendar.day_with_working_days_left(meeting, working_days_before)
    return Deadline(SCRUTINY_REPORT.title, due, None, owner_id)


# --- Command text ---------------------------------------------------------------------------

DEADLINE_USAGE = (
    "Type the title in quotes, then `70 working days from 12/03/2019` or `due 28/06/2019`, "
    'e.g. "Written statement of action to Ofsted" 70 working days from 12/03/2019.'
)

_QUOTED = re.compile(r'\s*["“”](?P<title>[^"“”]*)["“”]\s*(?P<rest>.*)', re.DOTALL)
_WORKING_DAYS = re.compile(
    r"(?P<n>\d+)\s+working\s+days?\s+(?:from|after)\s+(?P<date>.+)", re.IGNORECASE
)
_DUE = re.compile(r"(?:due|by|on)\s+(?P<date>.+)", re.IGNORECASE)
# A date typed with no word before it: digits first (31/5/27, 2027-05-31) or a month (May-27).
_BARE_DATE = re.compile(r"(?:\d|[A-Za-z]{3,9}[\s-]+\d)\S*(?:\s+\S+){0,2}")


@dataclass(frozen=True)
class DeadlineRequest:
    """What a person asked for: a title and either a due date or a working-days rule."""

    title: str
    due: dt.date | None = None
    rule: WorkingDaysRule | None = None

    def deadline(self, calendar: WorkingCalendar, owner_id: int | None = None) -> Deadline:
        if self.rule is not None:
            start, n = self.rule.start, self.rule.working_days
            return deadline_from_working_days(self.title, start, n, calendar, owner_id)
        assert self.due is not None
        return Deadline(self.title, self.due, None, owner_id)


def parse_deadline(text: str) -> DeadlineRequest:
    """`"Title" 70 working days from 12/03/2019` or `"Title" due 28/06/2019`; UserError if not."""
    quoted = _QUOTED.fullmatch(text or "")
    if quoted is None:
        raise UserError(f"I need the deadline's title in quotes. {DEADLINE_USAGE}")
    title = " ".join(quoted["title"].split())
    if not title:
        raise UserError(f"The deadline's title is empty. {DEADLINE_USAGE}")
    if len(title) > 200:
        raise UserError("Keep the deadline's title under 200 characters.")
    rest = " ".join(quoted["rest"].split())
    if m := _WORKING_DAYS.fullmatch(rest):
        n = int(m["n"])
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise UserError(f"Give between 1 and {MAX_WORKING_DAYS} working days. {DEADLINE_USAGE}")
        start = parse_uk_date(m["date"])
        if start.precision != DatePrecision.DAY:
            raise UserError(
                f"A working-days clock needs the day it starts, e.g. 12/03/2019, not just {start}."
            )
        return DeadlineRequest(title, rule=WorkingDaysRule(start.value, n))
    if m := _DUE.fullmatch(rest):
        return DeadlineRequest(title, due=parse_uk_date(m["date"]).value)
    if rest and _BARE_DATE.fullmatch(rest):  # `"Title" 31/5/27`: a date alone is the due date
        return DeadlineRequest(title, due=parse_uk_date(rest).value)
    raise UserError(f"After the title I need when it is due. {DEADLINE_USAGE}")
