"""Status by theme, composed from plain read-model values.

An action comes as one `ActionRow` (read by `bot.services.queries.action_rows`), a theme as one
`ThemeRow`; everything here is a function of those and of the day, so App Home, `/board`, the
digest and the pack paper count, sort and pick actions the same way.

Rules (DESIGN §6):

- *overdue*: due before today (board-local) and not blue; the working days overdue are
  counted with the board's holiday region (`ActionRow.working_days_overdue`).
- *due soon*: not blue, not overdue, due today or in the next `DUE_SOON_DAYS` calendar days.
- *stale*: not blue and no update for `stale_after`; an action never updated counts from
  when its plan was created.
- *% complete*: blue actions over all actions (`bot.core.statuses.percent`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

from bot.core.calendar import WorkingCalendar
from bot.core.impact import ActionImpact, find_impact
from bot.core.movement import StatusHistory
from bot.core.statuses import Status, percent

BLUE = Status.BLUE.value
DUE_SOON_DAYS = 14


# ---------------------------------------------------------------- the read model


@dataclass(frozen=True)
class Who:
    """A person as messages name them; `slack_user_id` is None while they are unlinked."""

    name: str
    slack_user_id: str | None = None


# The per-action read models are NamedTuples: as immutable as a frozen dataclass, and made
# several times faster, which counts when a digest reads a plan of thousands of actions.


class LatestUpdate(NamedTuple):
    """An action's newest progress update (at or before the moment asked about)."""

    at: dt.datetime
    author: str | None
    status: str | None
    note: str | None
    source: str = ""  # "import": the status came from the imported sheet, not its importer


class ActionRow(NamedTuple):
    """One action as every view reads it."""

    id: int
    plan_id: int
    plan: str
    board_id: int
    board: str
    timezone: str  # the board's
    theme_id: int
    theme_ref: str
    ref: str
    title: str
    status: str
    due: dt.date | None
    due_precision: str
    due_text: str | None = None  # the sheet's words when the due cell is not a date
    owners: tuple[Who, ...] = ()
    owner_ids: tuple[int, ...] = ()  # person ids, in the order of `owners`
    delegates: tuple[Who, ...] = ()
    delegate_ids: tuple[int, ...] = ()
    latest: LatestUpdate | None = None
    working_days_overdue: int | None = None  # None unless overdue
    slips: int = 0  # how many times the due date has changed
    impact: str | None = None  # the latest impact judgement given (bot.core.impact.Impact)
    evidence: str | None = None  # the latest evidence of impact given
    history: StatusHistory | None = None  # for movement since the last meeting

    @property
    def overdue(self) -> bool:
        return self.working_days_overdue is not None

    @property
    def complete(self) -> bool:
        return self.status == BLUE

    @property
    def delivery(self) -> ActionImpact:
        """Its delivery and its latest impact judgement and evidence, weighed together."""
        return ActionImpact(self.ref, Status(self.status), find_impact(self.impact), self.evidence)

    @property
    def owes_evidence(self) -> bool:
        """Complete, but its impact is not evidenced yet ("Delivered, impact not yet
        evidenced"): never shown as plain done."""
        return self.complete and self.delivery.owes_evidence


@dataclass(frozen=True)
class ThemeRow:
    id: int
    plan_id: int
    plan: str
    plan_created_at: dt.datetime
    board_id: int
    ref: str
    title: str
    lead: Who | None = None


def working_days_overdue(
    calendar: WorkingCalendar, due: dt.date | None, status: str, today: dt.date
) -> int | None:
    """Working days an action is overdue on `today`, or None when it is not overdue."""
    if due is None or status == BLUE or due >= today:
        return None
    return calendar.working_days_between(due, today)


# ---------------------------------------------------------------- counts


@dataclass(frozen=True)
class StatusCounts:
    not_started: int = 0
    green: int = 0
    amber: int = 0
    red: int = 0
    blue: int = 0

    @property
    def total(self) -> int:
        return self.not_started + self.green + self.amber + self.red + self.blue

    @property
    def percent_complete(self) -> int:
        """Blue over all, rounded (2 of 3 is 67%); 0 for no actions."""
        return percent(self.blue, self.total)

    def items(self) -> list[tuple[Status, int]]:
        return [(Status(f.name), getattr(self, f.name)) for f in fields(self)]

    def values(self) -> list[int]:
        return [n for _, n in self.items()]

    def __getitem__(self, status: Status | str) -> int:
        return int(getattr(self, Status(status).value))

    def get(self, status: Status | str, default: int = 0) -> int:
        try:
            return self[status]
        except ValueError:
            return default


class Counted:
    """For read models that carry `counts` by BRAG."""

    counts: StatusCounts

    @property
    def percent_complete(self) -> int:
        return self.counts.percent_complete

    @property
    def total(self) -> int:
        return self.counts.total


_KNOWN = frozenset(s.value for s in Status)


def count_statuses(statuses: Iterable[str]) -> StatusCounts:
    """How many of each BRAG status; statuses outside BRAG are not counted."""
    by_status: dict[str, int] = defaultdict(int)
    for status in statuses:
        if status in _KNOWN:
            by_status[status] += 1
    return StatusCounts(**by_status)


# ---------------------------------------------------------------- status by theme


@dataclass(frozen=True)
class ThemeStatus(Counted):
    plan: str
    ref: str
    title: str
    counts: StatusCounts
    overdue: int
    owing_evidence: int = 0  # complete, impact not yet evidenced


def count_owing(rows: Iterable[ActionRow]) -> int:
    """How many of the actions are complete without evidence of impact."""
    return sum(1 for r in rows if r.owes_evidence)


def by_theme(
    themes: Sequence[ThemeRow], rows: Iterable[ActionRow]
) -> Iterator[tuple[ThemeRow, list[ActionRow]]]:
    """Each theme, in order, with its actions in the order given."""
    grouped: dict[int, list[ActionRow]] = defaultdict(list)
    for row in rows:
        grouped[row.theme_id].append(row)
    for theme in themes:
        yield theme, grouped.get(theme.id, [])


def theme_status(theme: ThemeRow, rows: Sequence[ActionRow]) -> ThemeStatus:
    return ThemeStatus(
        plan=theme.plan,
        ref=theme.ref,
        title=theme.title,
        counts=count_statuses(r.status for r in rows),
        overdue=sum(1 for r in rows if r.overdue),
        owing_evidence=count_owing(rows),
    )


def status_by_theme(
    themes: Sequence[ThemeRow], rows: Iterable[ActionRow]
) -> tuple[ThemeStatus, ...]:
    """Counts by BRAG, % complete and overdue of every theme, in the themes' order."""
    return tuple(theme_status(theme, actions) for theme, actions in by_theme(themes, rows))


def overdue(rows: Iterable[ActionRow]) -> list[ActionRow]:
    """Overdue actions, most overdue (earliest due) first; ties keep their order."""
    late = [r for r in rows if r.overdue]
    return sorted(late, key=lambda r: r.due or dt.date.max)


def due_soon(
    rows: Iterable[ActionRow], today: dt.date, days: int = DUE_SOON_DAYS
) -> list[tuple[ActionRow, int]]:
    """Open actions due from today to `days` days on, soonest first, with the days left."""
    until = today + dt.timedelta(days=days)
    soon = [
        (r, (r.due - today).days)
        for r in rows
        if r.due is not None and not r.complete and today <= r.due <= until
    ]
    return sorted(soon, key=lambda item: item[1])


def stale(
    rows: Iterable[ActionRow],
    now: dt.datetime,
    stale_after: dt.timedelta,
    never_updated_since: dict[int, dt.datetime],
) -> list[tuple[ActionRow, dt.datetime]]:
    """Open actions without an update for longer than `stale_after`, longest quiet first,
    each with the moment it was last heard of (its latest update, or for an action never
    updated `never_updated_since[theme_id]`, its plan's creation)."""
    quiet = []
    for r in rows:
        if r.complete:
            continue
        last = r.latest.at if r.latest else never_updated_since[r.theme_id]
        if now - last > stale_after:
            quiet.append((r, last))
    return sorted(quiet, key=lambda item: item[1])


def not_updated_since(
    rows: Iterable[ActionRow], since: dt.datetime
) -> list[tuple[int, Who, list[str]]]:
    """Owners of open actions with no update since `since`: (person id, who, refs), by name."""
    lacking: dict[int, tuple[Who, list[str]]] = {}
    for r in rows:
        if r.complete or (r.latest is not None and r.latest.at >= since):
            continue
        for person_id, who in zip(r.owner_ids, r.owners, strict=True):
            lacking.setdefault(person_id, (who, []))[1].append(r.ref)
    found = [(person_id, who, refs) for person_id, (who, refs) in lacking.items()]
    return sorted(found, key=lambda item: (item[1].name.casefold(), item[1].slack_user_id or ""))
