"""The weekly digest and the pre-meeting pack, composed from plain read-model values.

`bot.services.digest` reads the rows; this module decides what the digest says about them
(the rules are in `bot.core.board_status` and in `bot.services.digest`'s docstring).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.board_status import (
    ActionRow,
    Counted,
    StatusCounts,
    ThemeRow,
    Who,
    by_theme,
    count_statuses,
    due_soon,
    not_updated_since,
    overdue,
    stale,
)
from bot.core.calendar import local_date
from bot.core.challenges import ChallengeCounts
from bot.core.deadlines import Countdown
from bot.core.impact import (
    ActionImpact,
    ImpactCounts,
    ImpactUpdate,
    activity_without_impact,
    find_impact,
    impact_counts,
)
from bot.core.movement import ActionMovement, Movement, ThemeMovement, theme_movement_of
from bot.core.statuses import status_of


@dataclass(frozen=True)
class _Due:
    """An open action with a due date."""

    ref: str
    title: str
    due: dt.date
    due_precision: str
    status: str
    owners: tuple[Who, ...]


@dataclass(frozen=True)
class OverdueAction(_Due):
    working_days: int  # working days overdue
    theme_ref: str = ""
    action_id: int = 0


@dataclass(frozen=True)
class DueSoonAction(_Due):
    days_left: int  # calendar days; 0 on the due date


@dataclass(frozen=True)
class StatusChange:
    ref: str
    title: str
    from_status: str | None
    to_status: str
    by: str | None  # the author's name; None for the system
    at: dt.datetime
    source: str = ""  # "import": from the imported sheet, whoever ran the import


@dataclass(frozen=True)
class StaleAction:
    ref: str
    title: str
    status: str
    owners: tuple[Who, ...]
    last_update: dt.datetime | None  # None: never updated
    days_since: int | None


@dataclass(frozen=True)
class _Move:
    """An action's due date, from and to, and why."""

    ref: str
    title: str
    old_due: dt.date | None
    new_due: dt.date
    new_precision: str
    reason: str


@dataclass(frozen=True)
class DateChange(_Move):
    """A due date the chair approved in the period."""

    decided_by: str | None
    decided_at: dt.datetime


@dataclass(frozen=True)
class DateChangeRow(_Move):
    """A request to move an action's due date, as the database holds it."""

    id: int
    theme_id: int
    state: str  # pending | approved | declined | withdrawn | closed
    requested_by: Who | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None

    @property
    def approved(self) -> bool:
        return self.state == "approved"


@dataclass(frozen=True)
class PendingDateChange(_Move):
    id: int
    requested_by: Who | None
    requested_at: dt.datetime


@dataclass(frozen=True)
class ThemeDigest(Counted):
    plan: str
    ref: str
    title: str
    counts: StatusCounts
    overdue: tuple[OverdueAction, ...] = ()
    due_soon: tuple[DueSoonAction, ...] = ()
    changes: tuple[StatusChange, ...] = ()
    stale: tuple[StaleAction, ...] = ()
    date_changes: tuple[DateChange, ...] = ()


@dataclass(frozen=True)
class Totals(Counted):
    counts: StatusCounts
    overdue: int
    due_soon: int
    stale: int
    pending_date_changes: int

    @property
    def actions(self) -> int:
        return self.counts.total


@dataclass(frozen=True)
class OwingEvidence:
    """A delivered (complete) action whose impact is not evidenced yet."""

    ref: str
    title: str
    theme_ref: str
    owners: tuple[Who, ...]
    headline: str  # "Delivered, impact not yet evidenced"
    action_id: int = 0


@dataclass(frozen=True)
class MovementLine:
    """A theme's movement since the last meeting, and its actions that moved (or are new)."""

    plan: str
    ref: str
    title: str
    summary: ThemeMovement
    moved: tuple[tuple[str, str, ActionMovement], ...] = ()  # (ref, title, movement)


@dataclass(frozen=True)
class ChallengeStepLine:
    """A step after the question, as the pack lists it: an answer, a follow-up, a close."""

    kind: str  # answered | reopened | closed
    by: str | None
    text: str


@dataclass(frozen=True)
class ChallengeLine:
    """A challenge as the pack lists it; `steps`: every answer and follow-up after the first
    question, in order (a second answer adds to the first)."""

    label: str  # C12
    ref: str
    title: str
    state: str  # open | answered | closed
    question: str
    age: str  # `asked 12 days ago`
    answer: str | None = None
    answered_by: str | None = None
    asked_by: str | None = None
    action_id: int = 0
    steps: tuple[ChallengeStepLine, ...] = ()
    first_question: str | None = None  # the question first asked (`question`: the standing one)
    challenge_id: int = 0


NO_IMPACT = ImpactCounts(
    actions=0, delivered=0, impact_evidenced=0, impact_emerging=0, owing_evidence=0
)


@dataclass(frozen=True)
class Digest:
    board_id: int
    board: str
    timezone: str
    generated_at: dt.datetime
    today: dt.date  # board-local date at generated_at
    since: dt.datetime
    totals: Totals
    themes: tuple[ThemeDigest, ...]
    stale_days: int = 30  # the board's policy: days without an update before stale
    impact: ImpactCounts = NO_IMPACT  # delivery and impact counted apart
    owing_evidence: tuple[OwingEvidence, ...] = ()
    challenges: ChallengeCounts | None = None  # the board's challenge log, counted
    movement: tuple[MovementLine, ...] = ()  # per theme, since `movement_since`
    movement_since: dt.date | None = None  # the last meeting's day (None: none yet)
    movement_slips: int = 0  # due dates moved later since the last meeting
    deadlines: tuple[Countdown, ...] = ()  # the board's deadlines, counted down, soonest first
    covering: tuple[str, ...] = ()  # "Dev Sharma is away until 22 May 2019; Ellie Brooks covers"
    # overdue actions whose owners are all away with nobody covering: listed, not escalated
    away_no_cover: tuple[OverdueAction, ...] = ()


@dataclass(frozen=True)
class NotUpdated:
    """An owner, with their open actions that have had no update since the previous meeting."""

    who: Who
    refs: tuple[str, ...]


@dataclass(frozen=True)
class Pack:
    digest: Digest
    meeting: dt.date
    previous_meeting: dt.date | None
    updates_since: dt.datetime  # the previous meeting's start (or 30 days before this one)
    not_updated: tuple[NotUpdated, ...]
    pending_date_changes: tuple[PendingDateChange, ...]
    challenges: tuple[ChallengeLine, ...] = ()  # open and answered, oldest asked first
    # Open actions whose last three updates said nothing about impact (no judgement, no
    # evidence): "activity without evidence of impact".
    without_impact: tuple[OwingEvidence, ...] = ()


@dataclass(frozen=True)
class BoardFacts:
    """What the digest needs to know of the board itself."""

    id: int
    name: str
    timezone: str
    stale_days: int


def _move(row: _Move) -> tuple[str, str, dt.date | None, dt.date, str, str]:
    return row.ref, row.title, row.old_due, row.new_due, row.new_precision, row.reason


def pending_date_change(row: DateChangeRow) -> PendingDateChange:
    return PendingDateChange(
        *_move(row), id=row.id, requested_by=row.requested_by, requested_at=row.requested_at
    )


def approved_date_change(row: DateChangeRow) -> tuple[int, DateChange]:
    """(theme id, change) of an approved request."""
    assert row.decided_at is not None
    return row.theme_id, DateChange(
        *_move(row), decided_by=row.decided_by, decided_at=row.decided_at
    )


def overdue_action(row: ActionRow) -> OverdueAction:
    assert row.due is not None and row.working_days_overdue is not None
    return OverdueAction(
        row.ref,
        row.title,
        row.due,
        row.due_precision,
        row.status,
        row.owners,
        row.working_days_overdue,
        row.theme_ref,
        row.id,
    )


def _theme_digest(
    theme: ThemeRow,
    rows: Sequence[ActionRow],
    board: BoardFacts,
    now: dt.datetime,
    today: dt.date,
    changes: Sequence[StatusChange],
    approved: Sequence[DateChange],
) -> ThemeDigest:
    quiet = stale(rows, now, dt.timedelta(days=board.stale_days), {theme.id: theme.plan_created_at})
    return ThemeDigest(
        plan=theme.plan,
        ref=theme.ref,
        title=theme.title,
        counts=count_statuses(r.status for r in rows),
        overdue=tuple(overdue_action(r) for r in overdue(rows)),
        due_soon=tuple(
            DueSoonAction(r.ref, r.title, r.due, r.due_precision, r.status, r.owners, left)
            for r, left in due_soon(rows, today)
            if r.due is not None and not r.overdue
        ),
        changes=tuple(changes),
        stale=tuple(
            StaleAction(
                r.ref,
                r.title,
                r.status,
                r.owners,
                r.latest.at if r.latest else None,
                (today - local_date(r.latest.at, board.timezone)).days if r.latest else None,
            )
            for r, _ in quiet
        ),
        date_changes=tuple(approved),
    )


def row_impact(row: ActionRow) -> ActionImpact:
    """An action's delivery and its latest impact judgement and evidence."""
    return ActionImpact(row.ref, status_of(row.status), find_impact(row.impact), row.evidence)


def owing_evidence(
    rows: Sequence[ActionRow], judged: Sequence[ActionImpact]
) -> tuple[OwingEvidence, ...]:
    """The complete actions whose impact is not evidenced yet, in plan order (`judged`: each
    row's `row_impact`)."""
    return tuple(
        OwingEvidence(r.ref, r.title, r.theme_ref, r.owners, j.headline, r.id)
        for r, j in zip(rows, judged, strict=True)
        if j.owes_evidence
    )


def compose_digest(
    board: BoardFacts,
    themes: Sequence[ThemeRow],
    rows: Sequence[ActionRow],
    changes: Sequence[tuple[int, StatusChange]],
    approved: Sequence[tuple[int, DateChange]],
    pending: int,
    now: dt.datetime,
    since: dt.datetime,
) -> Digest:
    """The digest of a board at `now`: per theme its counts, overdue, due-soon and stale
    actions, and the status changes and approved date changes (theme id, change) after
    `since`; `pending` date changes wait for the chair."""
    today = local_date(now, board.timezone)
    changes_of: dict[int, list[StatusChange]] = defaultdict(list)
    for theme_id, change in changes:
        changes_of[theme_id].append(change)
    approved_of: dict[int, list[DateChange]] = defaultdict(list)
    for theme_id, date_change in sorted(approved, key=lambda item: item[1].decided_at):
        approved_of[theme_id].append(date_change)
    digests = tuple(
        _theme_digest(
            theme, actions, board, now, today, changes_of[theme.id], approved_of[theme.id]
        )
        for theme, actions in by_theme(themes, rows)
    )
    judged = [row_impact(r) for r in rows]
    totals = Totals(
        counts=count_statuses(r.status for r in rows),
        overdue=sum(len(t.overdue) for t in digests),
        due_soon=sum(len(t.due_soon) for t in digests),
        stale=sum(len(t.stale) for t in digests),
        pending_date_changes=pending,
    )
    return Digest(
        board_id=board.id,
        board=board.name,
        timezone=board.timezone,
        generated_at=now,
        today=today,
        since=since,
        totals=totals,
        themes=digests,
        stale_days=board.stale_days,
        impact=impact_counts(judged),
        owing_evidence=owing_evidence(rows, judged),
    )


def not_updated(rows: Sequence[ActionRow], since: dt.datetime) -> tuple[NotUpdated, ...]:
    """Owners with open actions not updated since `since`, by name."""
    return tuple(NotUpdated(who, tuple(refs)) for _, who, refs in not_updated_since(rows, since))


def theme_movements(
    themes: Sequence[ThemeRow],
    rows: Sequence[ActionRow],
    moved: Mapping[int, ActionMovement],
    since: dt.date | None,
) -> tuple[MovementLine, ...]:
    """Each theme's movement since the last meeting (`since`, its local day), with the actions
    that moved or are new, in plan order."""
    lines = []
    same = Movement.SAME
    for theme, actions in by_theme(themes, rows):
        found = [(r, m, m.movement) for r in actions if (m := moved.get(r.id)) is not None]
        lines.append(
            MovementLine(
                plan=theme.plan,
                ref=theme.ref,
                title=theme.title,
                summary=theme_movement_of(
                    [kind for _, _, kind in found], sum(m.slips for _, m, _ in found), since
                ),
                moved=tuple((r.ref, r.title, m) for r, m, kind in found if kind is not same),
            )
        )
    return tuple(lines)


def without_impact(
    rows: Sequence[ActionRow], updates: Mapping[int, Sequence[ImpactUpdate]]
) -> tuple[OwingEvidence, ...]:
    """The open actions whose last three updates all said nothing about impact, in plan
    order (`updates`: each action's updates, any order)."""
    return tuple(
        OwingEvidence(r.ref, r.title, r.theme_ref, r.owners, row_impact(r).headline, r.id)
        for r in rows
        if not r.complete and activity_without_impact(updates.get(r.id, ()))
    )
