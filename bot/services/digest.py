"""The weekly digest and the pre-meeting pack (DESIGN §6): what they say, read from the database.

`build_digest` and `build_pack` run a fixed number of set-based queries whatever the size of
the plan (seven for a digest, six when `since` is given; seven for a pack; see `_load`), then
work in Python. Only the
board's active plans count, and removed actions never do. `now` is passed in; updates and
decisions after it are ignored, so a digest can be built for a moment in the past.

Rules:

- *overdue*: due before today (board-local) and not blue; `working_days` overdue counted with
  the board's holiday region, as `working_days_between(due, today)`.
- *due soon*: not blue, due today or in the next 14 calendar days.
- *stale*: not blue and no update for the board's `stale` policy (30 days by default). An
  action never updated counts from when its plan was created.
- *% complete*: blue actions over all actions, rounded down (100 only when all are blue).
- *since*: a digest covers status changes and approved date changes after `since` (default:
  when this board's last digest was sent on an earlier day than today, else 7 days before
  `now`); a pack covers them since the previous meeting started.
- *not updated* (pack): owners of open actions with no update since the previous meeting
  started (the board's cycle before the pack's meeting); with no previous meeting, since 30
  days before the pack's meeting.

JSON (`digest_json`, `pack_json`; dates ISO `YYYY-MM-DD`, times ISO 8601 in UTC)::

    digest = {
      "board": {"id", "name", "timezone"},
      "generated_at", "date" (board-local today), "since", "stale_days",
      "totals": {"actions", "statuses": STATUSES, "percent_complete", "overdue",
                 "due_soon", "stale", "pending_date_changes"},
      "themes": [{"plan", "ref", "title", "actions", "statuses": STATUSES,
                  "percent_complete",
                  "overdue": [{"ref", "title", "due", "due_precision", "status",
                               "owners": [PERSON], "working_days_overdue"}],
                  "due_soon": [{"ref", "title", "due", "due_precision", "status",
                                "owners": [PERSON], "days_left"}],
                  "status_changes": [{"ref", "title", "from", "to", "by", "at"}],
                  "stale": [{"ref", "title", "status", "owners": [PERSON],
                             "last_update", "days_since_update"}],
                  "date_changes": [{"ref", "title", "from", "to", "precision", "reason",
                                    "decided_by", "decided_at"}]}]}
    pack = {
      "meeting", "previous_meeting", "updates_since",
      "not_updated": [{"name", "slack_user", "actions": [ref, ...]}],
      "pending_date_changes": [{"id", "ref", "title", "from", "to", "precision", "reason",
                                "requested_by": PERSON | null, "requested_at"}],
      "digest": digest}
    STATUSES = {"not_started", "green", "amber", "red", "blue"}: counts
    PERSON = {"name", "slack_user"}

`from` in a status change may be null (an update that set the first status); `by` and
`decided_by` are names or null; `last_update` and `days_since_update` are null for an action
never updated; `previous_meeting` is null when the cycle has none before the meeting.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from bot.core.calendar import calendar_for, local_date
from bot.core.errors import NotFound
from bot.core.meetings import MeetingCycle
from bot.core.reminder_policy import policy_from_overrides
from bot.core.statuses import Status, percent
from bot.services.uow import UnitOfWork
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    MeetingChange,
    Notification,
    Person,
    Plan,
    ProgressUpdate,
    Theme,
)

DIGEST_KIND = "digest"
DEFAULT_PERIOD = dt.timedelta(days=7)
DUE_SOON_DAYS = 14
NO_PREVIOUS_MEETING = dt.timedelta(days=30)
BLUE = Status.BLUE.value


# ---------------------------------------------------------------- the digest as data


@dataclass(frozen=True)
class Who:
    """A person as the digest names them; `slack_user_id` is None while they are unlinked."""

    name: str
    slack_user_id: str | None = None


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


@dataclass(frozen=True)
class OverdueAction:
    ref: str
    title: str
    due: dt.date
    due_precision: str
    status: str
    owners: tuple[Who, ...]
    working_days: int  # working days overdue


@dataclass(frozen=True)
class DueSoonAction:
    ref: str
    title: str
    due: dt.date
    due_precision: str
    status: str
    owners: tuple[Who, ...]
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
class DateChange:
    """A due date the chair approved in the period."""

    ref: str
    title: str
    old_due: dt.date | None
    new_due: dt.date
    new_precision: str
    reason: str
    decided_by: str | None
    decided_at: dt.datetime


@dataclass(frozen=True)
class ThemeDigest:
    plan: str
    ref: str
    title: str
    counts: StatusCounts
    overdue: tuple[OverdueAction, ...] = ()
    due_soon: tuple[DueSoonAction, ...] = ()
    changes: tuple[StatusChange, ...] = ()
    stale: tuple[StaleAction, ...] = ()
    date_changes: tuple[DateChange, ...] = ()

    @property
    def percent_complete(self) -> int:
        return self.counts.percent_complete


@dataclass(frozen=True)
class Totals:
    counts: StatusCounts
    overdue: int
    due_soon: int
    stale: int
    pending_date_changes: int

    @property
    def actions(self) -> int:
        return self.counts.total

    @property
    def percent_complete(self) -> int:
        return self.counts.percent_complete


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


@dataclass(frozen=True)
class NotUpdated:
    """An owner, with their open actions that have had no update since the previous meeting."""

    who: Who
    refs: tuple[str, ...]


@dataclass(frozen=True)
class PendingDateChange:
    id: int
    ref: str
    title: str
    old_due: dt.date | None
    new_due: dt.date
    new_precision: str
    reason: str
    requested_by: Who | None
    requested_at: dt.datetime


@dataclass(frozen=True)
class Pack:
    digest: Digest
    meeting: dt.date
    previous_meeting: dt.date | None
    updates_since: dt.datetime  # the previous meeting's start (or 30 days before this one)
    not_updated: tuple[NotUpdated, ...]
    pending_date_changes: tuple[PendingDateChange, ...]


# ---------------------------------------------------------------- loading


class _ActionRow(NamedTuple):
    id: int
    theme_id: int
    ref: str
    title: str
    due: dt.date | None
    due_precision: str
    status: str
    latest_at: dt.datetime | None  # the newest update at or before `now`


class _ThemeRow(NamedTuple):
    id: int
    plan_title: str
    plan_created_at: dt.datetime
    ref: str
    title: str


@dataclass(frozen=True)
class _Loaded:
    board: Board
    themes: list[_ThemeRow]
    actions: list[_ActionRow]
    owners: dict[int, list[tuple[int, Who]]]  # action id → [(person id, who)]
    changes: list[tuple[int, StatusChange]]  # (theme id, change)
    approved: list[tuple[int, DateChange]]  # (theme id, change)
    pending: list[PendingDateChange]


def _board(uow: UnitOfWork, board_id: int) -> Board:
    board = uow.session.execute(select(Board).where(Board.id == board_id)).scalar_one_or_none()
    if board is None:
        raise NotFound("I can't find that board any more.")
    return board


def _last_digest_sent(
    uow: UnitOfWork, board_id: int, now: dt.datetime, today: dt.date
) -> dt.datetime | None:
    """When the board's last digest went out before today. Today's own digests don't count:
    the chair's copy, built just after the channel's went out, covers the same period."""
    return uow.session.scalar(
        select(func.max(Notification.sent_at)).where(
            Notification.board_id == board_id,
            Notification.kind == DIGEST_KIND,
            Notification.state == "sent",
            Notification.sent_at <= now,
            Notification.local_day < today,
        )
    )


def _load(uow: UnitOfWork, board: Board, now: dt.datetime, since: dt.datetime) -> _Loaded:
    """Five queries: themes, actions with their latest update, owners, status changes, and
    date changes (approved in the period, or pending)."""
    # Plain rows through the Core connection: the ORM's per-row bookkeeping would cost more
    # than the queries themselves on a large plan. Flush first, as session.execute would.
    uow.session.flush()
    connection = uow.session.connection()
    in_board = and_(Plan.board_id == board.id, Plan.active.is_(True), Action.removed_at.is_(None))

    themes = [
        _ThemeRow(*row)
        for row in connection.execute(
            select(Theme.id, Plan.title, Plan.created_at, Theme.ref, Theme.title)
            .join(Plan, Plan.id == Theme.plan_id)
            .where(Plan.board_id == board.id, Plan.active.is_(True))
            .order_by(Plan.id, Theme.position, Theme.id)
        ).all()
    ]

    # A correlated subquery reads each action's newest update straight off the
    # (action_id, at) index; grouping all the board's updates instead is several times slower.
    latest_at = (
        select(ProgressUpdate.at)
        .where(ProgressUpdate.action_id == Action.id, ProgressUpdate.at <= now)
        .order_by(ProgressUpdate.at.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    actions = [
        _ActionRow(*row)
        for row in connection.execute(
            select(
                Action.id,
                Action.theme_id,
                Action.ref,
                Action.title,
                Action.due_date,
                Action.due_precision,
                Action.status,
                latest_at,
            )
            .join(Plan, Plan.id == Action.plan_id)
            .join(Theme, Theme.id == Action.theme_id)
            .where(in_board)
            .order_by(Plan.id, Theme.position, Theme.id, Action.position, Action.id)
        ).all()
    ]

    owner_rows = connection.execute(
        select(ActionAssignment.action_id, Person.id, Person.name, Person.slack_user_id)
        .join(Person, Person.id == ActionAssignment.person_id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(in_board, ActionAssignment.role == "owner")
        .order_by(ActionAssignment.action_id, ActionAssignment.position, Person.id)
    ).all()
    owners: dict[int, list[tuple[int, Who]]] = defaultdict(list)
    people: dict[int, Who] = {}
    for action_id, person_id, name, slack_user_id in owner_rows:
        who = people.get(person_id) or people.setdefault(person_id, Who(name, slack_user_id))
        owners[action_id].append((person_id, who))

    change_rows = connection.execute(
        select(
            Action.theme_id,
            Action.ref,
            Action.title,
            ProgressUpdate.previous_status,
            ProgressUpdate.status,
            Person.name,
            ProgressUpdate.at,
            ProgressUpdate.source,
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(Person, Person.id == ProgressUpdate.author_id)
        .where(
            in_board,
            ProgressUpdate.at > since,
            ProgressUpdate.at <= now,
            ProgressUpdate.status.is_not(None),
            ProgressUpdate.status.is_distinct_from(ProgressUpdate.previous_status),
        )
        .order_by(ProgressUpdate.at, ProgressUpdate.id)
    ).all()
    changes = [
        (theme_id, StatusChange(ref, title, previous, status, by, at, source))
        for theme_id, ref, title, previous, status, by, at, source in change_rows
    ]

    requester = aliased(Person)
    decider = aliased(Person)
    request = DateChangeRequest
    request_rows = connection.execute(
        select(
            request.id,
            request.state,
            request.old_due_date,
            request.new_due_date,
            request.new_due_precision,
            request.reason,
            request.requested_at,
            request.decided_at,
            Action.theme_id,
            Action.ref,
            Action.title,
            requester.name.label("requester_name"),
            requester.slack_user_id.label("requester_slack"),
            decider.name.label("decider_name"),
        )
        .join(Action, Action.id == request.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(requester, requester.id == request.requested_by_id)
        .outerjoin(decider, decider.id == request.decided_by_id)
        .where(
            in_board,
            or_(
                and_(request.state == "pending", request.requested_at <= now),
                and_(
                    request.state == "approved",
                    request.decided_at > since,
                    request.decided_at <= now,
                ),
            ),
        )
        .order_by(request.requested_at, request.id)
    ).all()
    approved: list[tuple[int, DateChange]] = []
    pending: list[PendingDateChange] = []
    for row in request_rows:
        if row.state == "pending":
            requested_by = (
                Who(row.requester_name, row.requester_slack)
                if row.requester_name is not None
                else None
            )
            pending.append(
                PendingDateChange(
                    id=row.id,
                    ref=row.ref,
                    title=row.title,
                    old_due=row.old_due_date,
                    new_due=row.new_due_date,
                    new_precision=row.new_due_precision,
                    reason=row.reason,
                    requested_by=requested_by,
                    requested_at=row.requested_at,
                )
            )
        else:
            approved.append(
                (
                    row.theme_id,
                    DateChange(
                        ref=row.ref,
                        title=row.title,
                        old_due=row.old_due_date,
                        new_due=row.new_due_date,
                        new_precision=row.new_due_precision,
                        reason=row.reason,
                        decided_by=row.decider_name,
                        decided_at=row.decided_at,
                    ),
                )
            )
    approved.sort(key=lambda item: item[1].decided_at)

    return _Loaded(
        board=board,
        themes=themes,
        actions=actions,
        owners=owners,
        changes=changes,
        approved=approved,
        pending=pending,
    )


# ---------------------------------------------------------------- building


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _digest(loaded: _Loaded, now: dt.datetime, since: dt.datetime) -> Digest:
    board = loaded.board
    calendar = calendar_for(board.region)
    today = local_date(now, board.timezone)
    stale_days = policy_from_overrides(board.reminder_policy).stale
    stale_after = dt.timedelta(days=stale_days)
    soon_until = today + dt.timedelta(days=DUE_SOON_DAYS)

    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    overdue: dict[int, list[OverdueAction]] = defaultdict(list)
    due_soon: dict[int, list[DueSoonAction]] = defaultdict(list)
    stale: dict[int, list[tuple[dt.datetime, StaleAction]]] = defaultdict(list)
    plan_created = {theme.id: theme.plan_created_at for theme in loaded.themes}
    no_owners: list[tuple[int, Who]] = []
    for action in loaded.actions:
        theme_id = action.theme_id
        counts[theme_id][action.status] += 1
        if action.status == BLUE:
            continue
        who = tuple(w for _, w in loaded.owners.get(action.id, no_owners))
        due = action.due
        if due is not None and due < today:
            overdue[theme_id].append(
                OverdueAction(
                    action.ref,
                    action.title,
                    due,
                    action.due_precision,
                    action.status,
                    who,
                    calendar.working_days_between(due, today),
                )
            )
        elif due is not None and due <= soon_until:
            due_soon[theme_id].append(
                DueSoonAction(
                    action.ref,
                    action.title,
                    due,
                    action.due_precision,
                    action.status,
                    who,
                    (due - today).days,
                )
            )
        latest = action.latest_at
        last = latest or plan_created[theme_id]
        if now - last > stale_after:
            days_since = (today - local_date(latest, board.timezone)).days if latest else None
            stale[theme_id].append(
                (
                    last,
                    StaleAction(action.ref, action.title, action.status, who, latest, days_since),
                )
            )

    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for theme_id, change in loaded.changes:
        changes[theme_id].append(change)
    approved: dict[int, list[DateChange]] = defaultdict(list)
    for theme_id, date_change in loaded.approved:
        approved[theme_id].append(date_change)

    themes = []
    for theme in loaded.themes:
        theme_id = theme.id
        themes.append(
            ThemeDigest(
                plan=theme.plan_title,
                ref=theme.ref,
                title=theme.title,
                counts=_counts(counts[theme_id]),
                overdue=tuple(sorted(overdue[theme_id], key=lambda a: a.due)),
                due_soon=tuple(sorted(due_soon[theme_id], key=lambda a: a.due)),
                changes=tuple(changes[theme_id]),
                stale=tuple(s for _, s in sorted(stale[theme_id], key=lambda item: item[0])),
                date_changes=tuple(approved[theme_id]),
            )
        )
    all_counts: dict[str, int] = defaultdict(int)
    for action in loaded.actions:
        all_counts[action.status] += 1
    totals = Totals(
        counts=_counts(all_counts),
        overdue=sum(len(t.overdue) for t in themes),
        due_soon=sum(len(t.due_soon) for t in themes),
        stale=sum(len(t.stale) for t in themes),
        pending_date_changes=len(loaded.pending),
    )
    return Digest(
        board_id=board.id,
        board=board.name,
        timezone=board.timezone,
        generated_at=now,
        today=today,
        since=since,
        totals=totals,
        themes=tuple(themes),
        stale_days=stale_days,
    )


def _counts(by_status: dict[str, int]) -> StatusCounts:
    known = {f.name for f in fields(StatusCounts)}
    return StatusCounts(**{k: v for k, v in by_status.items() if k in known})


def build_digest(
    uow: UnitOfWork, board_id: int, now: dt.datetime, since: dt.datetime | None = None
) -> Digest:
    """The weekly digest of a board at `now`, covering changes after `since`."""
    _aware(now, "now")
    board = _board(uow, board_id)
    if since is None:
        today = local_date(now, board.timezone)
        since = _last_digest_sent(uow, board_id, now, today) or now - DEFAULT_PERIOD
    _aware(since, "since")
    return _digest(_load(uow, board, now, since), now, since)


def meeting_cycle(board: Board, changes: list[tuple[dt.date, str]]) -> MeetingCycle:
    """The board's meeting cycle, with its one-off additions and cancellations."""
    return MeetingCycle(
        rule=board.meeting_rule,
        start=board.meeting_start or board.created_at.date(),
        time=board.meeting_time,
        tz=board.timezone,
        added=frozenset(d for d, kind in changes if kind == "added"),
        cancelled=frozenset(d for d, kind in changes if kind == "cancelled"),
    )


def build_pack(uow: UnitOfWork, board_id: int, meeting: dt.date, now: dt.datetime) -> Pack:
    """The pack for the board's meeting on `meeting`: the digest since the previous meeting,
    who has not updated since then, and the date changes waiting for the chair."""
    _aware(now, "now")
    board = _board(uow, board_id)
    changes = uow.session.execute(
        select(MeetingChange.date, MeetingChange.kind).where(MeetingChange.board_id == board.id)
    ).all()
    cycle = meeting_cycle(board, [(d, kind) for d, kind in changes])
    previous = cycle.previous_meeting(meeting)
    if previous is not None:
        updates_since = cycle.meeting_datetime(previous)
    else:
        updates_since = cycle.meeting_datetime(meeting) - NO_PREVIOUS_MEETING

    loaded = _load(uow, board, now, updates_since)
    digest = _digest(loaded, now, updates_since)

    lacking: dict[int, tuple[Who, list[str]]] = {}
    for action in loaded.actions:
        if action.status == BLUE:
            continue
        if action.latest_at is not None and action.latest_at >= updates_since:
            continue
        for person_id, who in loaded.owners.get(action.id, ()):
            lacking.setdefault(person_id, (who, []))[1].append(action.ref)
    not_updated = sorted(
        (NotUpdated(who, tuple(refs)) for who, refs in lacking.values()),
        key=lambda n: (n.who.name.casefold(), n.who.slack_user_id or ""),
    )
    return Pack(
        digest=digest,
        meeting=meeting,
        previous_meeting=previous,
        updates_since=updates_since,
        not_updated=tuple(not_updated),
        pending_date_changes=tuple(loaded.pending),
    )


# ---------------------------------------------------------------- JSON


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _who(who: Who) -> dict[str, Any]:
    return {"name": who.name, "slack_user": who.slack_user_id}


def _statuses(counts: StatusCounts) -> dict[str, int]:
    return {status.value: n for status, n in counts.items()}


def digest_json(d: Digest) -> dict[str, Any]:
    """The digest as plain JSON-able data (keys in the module docstring)."""
    return {
        "board": {"id": d.board_id, "name": d.board, "timezone": d.timezone},
        "generated_at": _iso(d.generated_at),
        "date": _day(d.today),
        "since": _iso(d.since),
        "stale_days": d.stale_days,
        "totals": {
            "actions": d.totals.actions,
            "statuses": _statuses(d.totals.counts),
            "percent_complete": d.totals.percent_complete,
            "overdue": d.totals.overdue,
            "due_soon": d.totals.due_soon,
            "stale": d.totals.stale,
            "pending_date_changes": d.totals.pending_date_changes,
        },
        "themes": [_theme_json(t) for t in d.themes],
    }


def _theme_json(t: ThemeDigest) -> dict[str, Any]:
    return {
        "plan": t.plan,
        "ref": t.ref,
        "title": t.title,
        "actions": t.counts.total,
        "statuses": _statuses(t.counts),
        "percent_complete": t.percent_complete,
        "overdue": [
            {
                "ref": a.ref,
                "title": a.title,
                "due": _day(a.due),
                "due_precision": a.due_precision,
                "status": a.status,
                "owners": [_who(w) for w in a.owners],
                "working_days_overdue": a.working_days,
            }
            for a in t.overdue
        ],
        "due_soon": [
            {
                "ref": a.ref,
                "title": a.title,
                "due": _day(a.due),
                "due_precision": a.due_precision,
                "status": a.status,
                "owners": [_who(w) for w in a.owners],
                "days_left": a.days_left,
            }
            for a in t.due_soon
        ],
        "status_changes": [
            {
                "ref": c.ref,
                "title": c.title,
                "from": c.from_status,
                "to": c.to_status,
                "by": c.by,
                "at": _iso(c.at),
            }
            for c in t.changes
        ],
        "stale": [
            {
                "ref": s.ref,
                "title": s.title,
                "status": s.status,
                "owners": [_who(w) for w in s.owners],
                "last_update": _iso(s.last_update),
                "days_since_update": s.days_since,
            }
            for s in t.stale
        ],
        "date_changes": [
            {
                "ref": c.ref,
                "title": c.title,
                "from": _day(c.old_due),
                "to": _day(c.new_due),
                "precision": c.new_precision,
                "reason": c.reason,
                "decided_by": c.decided_by,
                "decided_at": _iso(c.decided_at),
            }
            for c in t.date_changes
        ],
    }


def pack_json(p: Pack) -> dict[str, Any]:
    """The pack as plain JSON-able data (keys in the module docstring)."""
    return {
        "meeting": _day(p.meeting),
        "previous_meeting": _day(p.previous_meeting),
        "updates_since": _iso(p.updates_since),
        "not_updated": [
            {"name": n.who.name, "slack_user": n.who.slack_user_id, "actions": list(n.refs)}
            for n in p.not_updated
        ],
        "pending_date_changes": [
            {
                "id": c.id,
                "ref": c.ref,
                "title": c.title,
                "from": _day(c.old_due),
                "to": _day(c.new_due),
                "precision": c.new_precision,
                "reason": c.reason,
                "requested_by": _who(c.requested_by) if c.requested_by else None,
                "requested_at": _iso(c.requested_at),
            }
            for c in p.pending_date_changes
        ],
        "digest": digest_json(p.digest),
    }
