"""What `/board` shows: read models of one board, each behind the READ permission.

Every function takes a unit of work, the acting person and the board's name (None for the
workspace's only board), finds the board, checks that the person may read it (admins, the
chair, members, and anyone who owns, leads or stands in for something on it), and returns
plain frozen dataclasses for `bot/render/board.py`. Each runs a fixed number of queries
whatever the size of the plan. Only the board's active plans count, and removed actions never
do — the same rules as the digest (`bot.services.digest`).

`now` is passed in. *Today* is the board-local date at `now`; an action is *overdue* when it
is due before today and not blue; working days use the board's holiday region.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import aliased

from bot.core.calendar import WorkingCalendar, calendar_for, local_date
from bot.core.errors import NotFound, UserError
from bot.core.meetings import MeetingCycle
from bot.core.permissions import Permission, check, is_allowed
from bot.core.reminder_policy import ReminderPolicy, policy_from_overrides
from bot.core.statuses import Status
from bot.services.digest import (
    Digest,
    Pack,
    PendingDateChange,
    StatusCounts,
    Who,
    build_digest,
    build_pack,
    meeting_cycle,
)
from bot.services.plans import DELEGATE, OWNER, Actor, find_board, normalise_ref, standing
from bot.services.progress import approver_standing, decide_date_change
from bot.services.uow import UnitOfWork
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    MeetingChange,
    Person,
    Plan,
    ProgressUpdate,
    Theme,
)

BLUE = Status.BLUE.value
MEETINGS_SHOWN = 6
MEETINGS_HORIZON = dt.timedelta(days=730)
HISTORY_LIMIT = 100

MeetingKind = Literal["regular", "added", "cancelled"]


# ---------------------------------------------------------------- the views


@dataclass(frozen=True)
class BoardInfo:
    id: int
    name: str
    timezone: str
    today: dt.date  # board-local


@dataclass(frozen=True)
class ThemeStatus:
    plan: str
    ref: str
    title: str
    counts: StatusCounts
    overdue: int

    @property
    def percent_complete(self) -> int:
        return self.counts.percent_complete


@dataclass(frozen=True)
class BoardStatus:
    """Status by theme: counts by BRAG, % complete and overdue, with totals."""

    board: BoardInfo
    themes: tuple[ThemeStatus, ...]
    counts: StatusCounts
    overdue: int
    pending_date_changes: int

    @property
    def percent_complete(self) -> int:
        return self.counts.percent_complete

    @property
    def several_plans(self) -> bool:
        return len({t.plan for t in self.themes}) > 1


@dataclass(frozen=True)
class OverdueItem:
    theme_ref: str
    ref: str
    title: str
    due: dt.date
    due_precision: str
    status: str
    owners: tuple[Who, ...]
    working_days: int  # working days overdue


@dataclass(frozen=True)
class OverdueList:
    """Open actions past their due date, most overdue first."""

    board: BoardInfo
    items: tuple[OverdueItem, ...]


@dataclass(frozen=True)
class LatestUpdate:
    at: dt.datetime
    author: str | None
    status: str | None
    note: str | None
    source: str = ""  # "import": the status came from the imported sheet, not its importer


@dataclass(frozen=True)
class ActionLine:
    ref: str
    title: str
    status: str
    due: dt.date | None
    due_precision: str
    owners: tuple[Who, ...]
    delegates: tuple[Who, ...]
    working_days_overdue: int | None  # None unless overdue
    latest: LatestUpdate | None
    due_text: str | None = None  # the sheet's words when the due cell is not a date


@dataclass(frozen=True)
class ThemeDetail:
    board: BoardInfo
    plan: str
    ref: str
    title: str
    lead: Who | None
    counts: StatusCounts
    actions: tuple[ActionLine, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.working_days_overdue is not None)


@dataclass(frozen=True)
class MeetingLine:
    """A coming meeting and the days its reminders go out (None for a cancelled meeting)."""

    date: dt.date
    starts_at: dt.datetime  # aware, board-local
    kind: MeetingKind
    window_opens: dt.date | None = None
    last_call: dt.date | None = None
    updates_due: dt.date | None = None
    pack: dt.date | None = None


@dataclass(frozen=True)
class MeetingsView:
    board: BoardInfo
    cycle: str | None  # e.g. "second Tuesday of every month from 8 January 2019 at 10:00"
    meetings: tuple[MeetingLine, ...]
    policy: ReminderPolicy
    paused_until: dt.date | None


@dataclass(frozen=True)
class UpdateEntry:
    at: dt.datetime
    author: str | None
    previous_status: str | None
    status: str | None
    note: str | None
    evidence: str | None
    source: str
    new_due: dt.date | None
    due_reason: str | None

    @property
    def status_changed(self) -> bool:
        return self.status is not None and self.status != self.previous_status


@dataclass(frozen=True)
class DateChangeEntry:
    id: int
    requested_at: dt.datetime
    requested_by: str | None
    old_due: dt.date | None
    new_due: dt.date
    new_precision: str
    reason: str
    state: str  # pending | approved | declined | withdrawn
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


@dataclass(frozen=True)
class ActionHistory:
    """An action's progress updates and date changes, newest first."""

    board: BoardInfo
    ref: str
    title: str
    status: str
    due: dt.date | None
    due_precision: str
    original_due: dt.date | None
    owners: tuple[Who, ...]
    updates: tuple[UpdateEntry, ...]  # at most HISTORY_LIMIT
    total_updates: int
    date_changes: tuple[DateChangeEntry, ...]
    due_text: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # the imported sheet's other columns


@dataclass(frozen=True)
class PendingList:
    """Date changes waiting for the chair; `can_decide` says whether the viewer may decide."""

    board: BoardInfo
    items: tuple[PendingDateChange, ...]
    can_decide: bool


@dataclass(frozen=True)
class Decision:
    """A date change just approved or declined."""

    id: int
    board: str
    ref: str
    title: str
    state: str  # approved | declined
    old_due: dt.date | None
    new_due: dt.date
    new_precision: str
    requested_by: Who | None
    note: str | None


# ---------------------------------------------------------------- shared


def _readable_board(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> tuple[Board, BoardInfo]:
    board = find_board(uow, actor.workspace_id, board_name)
    check(Permission.READ, standing(uow, actor, board.id))
    return board, BoardInfo(board.id, board.name, board.timezone, local_date(now, board.timezone))


def _in_board(board_id: int) -> ColumnElement[bool]:
    """Actions that count: in the board's active plans and not removed."""
    return and_(Plan.board_id == board_id, Plan.active.is_(True), Action.removed_at.is_(None))


def _counts(by_status: dict[str, int]) -> StatusCounts:
    known = {s.value for s in Status}
    return StatusCounts(**{k: v for k, v in by_status.items() if k in known})


def _people(
    uow: UnitOfWork, board_id: int, where: ColumnElement[bool]
) -> tuple[dict[int, list[Who]], dict[int, list[Who]]]:
    """Owners and delegates of the board's actions matching `where`, in one query."""
    rows = uow.session.execute(
        select(ActionAssignment.action_id, ActionAssignment.role, Person.name, Person.slack_user_id)
        .join(Person, Person.id == ActionAssignment.person_id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(_in_board(board_id), where)
        .order_by(ActionAssignment.action_id, ActionAssignment.position, Person.id)
    ).all()
    owners: dict[int, list[Who]] = defaultdict(list)
    delegates: dict[int, list[Who]] = defaultdict(list)
    for action_id, role, name, slack_user_id in rows:
        if role == OWNER:
            owners[action_id].append(Who(name, slack_user_id))
        elif role == DELEGATE:
            delegates[action_id].append(Who(name, slack_user_id))
    return owners, delegates


def _overdue_days(
    calendar: WorkingCalendar, due: dt.date | None, status: str, today: dt.date
) -> int | None:
    if due is None or status == BLUE or due >= today:
        return None
    return calendar.working_days_between(due, today)


def _cycle(uow: UnitOfWork, board: Board) -> MeetingCycle:
    changes = uow.session.execute(
        select(MeetingChange.date, MeetingChange.kind).where(MeetingChange.board_id == board.id)
    ).all()
    return meeting_cycle(board, [(d, kind) for d, kind in changes])


# ---------------------------------------------------------------- status by theme


def board_status(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> BoardStatus:
    """Counts by status, % complete and overdue for every theme of the board's active plans."""
    board, info = _readable_board(uow, actor, board_name, now)
    session = uow.session
    themes = session.execute(
        select(Theme.id, Plan.title, Theme.ref, Theme.title)
        .join(Plan, Plan.id == Theme.plan_id)
        .where(Plan.board_id == board.id, Plan.active.is_(True))
        .order_by(Plan.id, Theme.position, Theme.id)
    ).all()
    late = case(
        (and_(Action.due_date < info.today, Action.status != BLUE), 1),
        else_=0,
    )
    rows = session.execute(
        select(Action.theme_id, Action.status, func.count(), func.sum(late))
        .join(Plan, Plan.id == Action.plan_id)
        .where(_in_board(board.id))
        .group_by(Action.theme_id, Action.status)
    ).all()
    pending = session.scalar(
        select(func.count())
        .select_from(DateChangeRequest)
        .join(Action, Action.id == DateChangeRequest.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(_in_board(board.id), DateChangeRequest.state == "pending")
    )
    by_theme: dict[int, dict[str, int]] = defaultdict(dict)
    overdue: dict[int, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for theme_id, status, count, late_count in rows:
        by_theme[theme_id][status] = count
        overdue[theme_id] += int(late_count or 0)
        totals[status] += count
    return BoardStatus(
        board=info,
        themes=tuple(
            ThemeStatus(plan, ref, title, _counts(by_theme[theme_id]), overdue[theme_id])
            for theme_id, plan, ref, title in themes
        ),
        counts=_counts(totals),
        overdue=sum(overdue.values()),
        pending_date_changes=pending or 0,
    )


# ---------------------------------------------------------------- overdue


def overdue_actions(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> OverdueList:
    """Open actions due before today, most overdue first, with their owners."""
    board, info = _readable_board(uow, actor, board_name, now)
    late = and_(Action.due_date < info.today, Action.status != BLUE)
    rows = uow.session.execute(
        select(
            Action.id,
            Theme.ref,
            Action.ref,
            Action.title,
            Action.due_date,
            Action.due_precision,
            Action.status,
        )
        .join(Plan, Plan.id == Action.plan_id)
        .join(Theme, Theme.id == Action.theme_id)
        .where(_in_board(board.id), late)
        .order_by(Action.due_date, Plan.id, Theme.position, Action.position, Action.id)
    ).all()
    owners, _ = _people(uow, board.id, late)
    calendar = calendar_for(board.region)
    items = [
        OverdueItem(
            theme_ref=theme_ref,
            ref=ref,
            title=title,
            due=due,
            due_precision=precision,
            status=status,
            owners=tuple(owners.get(action_id, ())),
            working_days=calendar.working_days_between(due, info.today),
        )
        for action_id, theme_ref, ref, title, due, precision, status in rows
    ]
    return OverdueList(info, tuple(items))


# ---------------------------------------------------------------- one theme


def theme_detail(
    uow: UnitOfWork, actor: Actor, board_name: str | None, ref: str, now: dt.datetime
) -> ThemeDetail:
    """One theme: its lead, counts, and every action with owners and its latest update.

    With several active plans holding the same theme ref, the newest plan's theme is shown.
    """
    board, info = _readable_board(uow, actor, board_name, now)
    session = uow.session
    lead = aliased(Person)
    found = session.execute(
        select(Theme.id, Theme.ref, Theme.title, Plan.title, lead.name, lead.slack_user_id)
        .join(Plan, Plan.id == Theme.plan_id)
        .outerjoin(lead, lead.id == Theme.lead_id)
        .where(
            Plan.board_id == board.id,
            Plan.active.is_(True),
            Theme.ref == normalise_ref(ref),
        )
        .order_by(Plan.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(
            f"There's no theme {ref} on “{board.name}”. `/board` lists the board's themes."
        )
    theme_id, theme_ref, theme_title, plan_title, lead_name, lead_slack = found

    ranked = (
        select(
            ProgressUpdate.action_id,
            ProgressUpdate.at,
            ProgressUpdate.status,
            ProgressUpdate.note,
            ProgressUpdate.source,
            Person.name.label("author"),
            func.row_number()
            .over(
                partition_by=ProgressUpdate.action_id,
                order_by=(ProgressUpdate.at.desc(), ProgressUpdate.id.desc()),
            )
            .label("rank"),
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .outerjoin(Person, Person.id == ProgressUpdate.author_id)
        .where(Action.theme_id == theme_id, ProgressUpdate.at <= now)
        .subquery()
    )
    latest = {
        row.action_id: LatestUpdate(row.at, row.author, row.status, row.note, row.source)
        for row in session.execute(select(ranked).where(ranked.c.rank == 1))
    }
    actions = session.execute(
        select(
            Action.id,
            Action.ref,
            Action.title,
            Action.status,
            Action.due_date,
            Action.due_precision,
            Action.due_text,
        )
        .join(Plan, Plan.id == Action.plan_id)
        .where(_in_board(board.id), Action.theme_id == theme_id)
        .order_by(Action.position, Action.id)
    ).all()
    owners, delegates = _people(uow, board.id, Action.theme_id == theme_id)
    calendar = calendar_for(board.region)
    lines = tuple(
        ActionLine(
            ref=action_ref,
            title=title,
            status=status,
            due=due,
            due_precision=precision,
            owners=tuple(owners.get(action_id, ())),
            delegates=tuple(delegates.get(action_id, ())),
            working_days_overdue=_overdue_days(calendar, due, status, info.today),
            latest=latest.get(action_id),
            due_text=due_text,
        )
        for action_id, action_ref, title, status, due, precision, due_text in actions
    )
    by_status: dict[str, int] = defaultdict(int)
    for line in lines:
        by_status[line.status] += 1
    return ThemeDetail(
        board=info,
        plan=plan_title,
        ref=theme_ref,
        title=theme_title,
        lead=Who(lead_name, lead_slack) if lead_name is not None else None,
        counts=_counts(by_status),
        actions=lines,
    )


# ---------------------------------------------------------------- meetings


def meetings(
    uow: UnitOfWork,
    actor: Actor,
    board_name: str | None,
    now: dt.datetime,
    count: int = MEETINGS_SHOWN,
) -> MeetingsView:
    """The next `count` meetings (from today), with the days their reminders go out, and any
    cancelled meetings among them. The days follow the board's reminder policy (DESIGN §6):
    the update window opens, the last call, updates due and the pack, in working days before
    the meeting."""
    board, info = _readable_board(uow, actor, board_name, now)
    cycle = _cycle(uow, board)
    policy = policy_from_overrides(board.reminder_policy)
    calendar = calendar_for(board.region)
    upcoming = cycle.occurrences(info.today, info.today + MEETINGS_HORIZON)[:count]
    lines = [
        MeetingLine(
            date=day,
            starts_at=cycle.meeting_datetime(day),
            kind="added" if day in cycle.added else "regular",
            window_opens=calendar.day_with_working_days_left(day, policy.window),
            last_call=calendar.day_with_working_days_left(
                day, policy.updates_due + policy.last_call
            ),
            updates_due=calendar.day_with_working_days_left(day, policy.updates_due),
            pack=calendar.day_with_working_days_left(day, policy.pack),
        )
        for day in upcoming
    ]
    # Cancelled meetings among the ones shown (or any to come, when fewer are shown).
    until = upcoming[-1] if upcoming and len(upcoming) == count else info.today + MEETINGS_HORIZON
    lines += [
        MeetingLine(day, cycle.meeting_datetime(day), "cancelled")
        for day in cycle.cancelled
        if info.today <= day <= until
    ]
    lines.sort(key=lambda line: line.date)
    return MeetingsView(
        board=info,
        cycle=cycle.describe() if cycle.rule is not None else None,
        meetings=tuple(lines),
        policy=policy,
        paused_until=board.paused_until
        if board.paused_until and board.paused_until >= info.today
        else None,
    )


# ---------------------------------------------------------------- one action's history


def action_history(
    uow: UnitOfWork, actor: Actor, board_name: str | None, ref: str, now: dt.datetime
) -> ActionHistory:
    """An action's progress updates (newest first, at most HISTORY_LIMIT) and its date
    changes (newest first). With several active plans holding the ref, the newest plan's."""
    board, info = _readable_board(uow, actor, board_name, now)
    session = uow.session
    action = session.scalars(
        select(Action)
        .join(Plan, Plan.id == Action.plan_id)
        .where(_in_board(board.id), Action.ref == normalise_ref(ref))
        .order_by(Plan.id.desc())
        .limit(1)
    ).first()
    if action is None:
        raise NotFound(
            f"There's no action {ref} on “{board.name}”. `/board theme <ref>` lists a theme's "
            "actions."
        )
    owners, _ = _people(uow, board.id, Action.id == action.id)
    author = aliased(Person)
    update_rows = session.execute(
        select(
            ProgressUpdate.at,
            author.name,
            ProgressUpdate.previous_status,
            ProgressUpdate.status,
            ProgressUpdate.note,
            ProgressUpdate.evidence,
            ProgressUpdate.source,
            ProgressUpdate.new_due_date,
            ProgressUpdate.due_change_reason,
            func.count().over().label("total"),
        )
        .outerjoin(author, author.id == ProgressUpdate.author_id)
        .where(ProgressUpdate.action_id == action.id, ProgressUpdate.at <= now)
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    requester = aliased(Person)
    decider = aliased(Person)
    request = DateChangeRequest
    change_rows = session.execute(
        select(
            request.id,
            request.requested_at,
            requester.name,
            request.old_due_date,
            request.new_due_date,
            request.new_due_precision,
            request.reason,
            request.state,
            decider.name,
            request.decided_at,
            request.decision_note,
        )
        .outerjoin(requester, requester.id == request.requested_by_id)
        .outerjoin(decider, decider.id == request.decided_by_id)
        .where(request.action_id == action.id, request.requested_at <= now)
        .order_by(request.requested_at.desc(), request.id.desc())
    ).all()
    return ActionHistory(
        board=info,
        ref=action.ref,
        title=action.title,
        status=action.status,
        due=action.due_date,
        due_precision=action.due_precision,
        original_due=action.original_due_date,
        owners=tuple(owners.get(action.id, ())),
        updates=tuple(UpdateEntry(*row[:9]) for row in update_rows),
        total_updates=update_rows[0].total if update_rows else 0,
        date_changes=tuple(DateChangeEntry(*row) for row in change_rows),
        due_text=action.due_text,
        fields=tuple((str(k), str(v)) for k, v in (action.fields or {}).items()),
    )


# ---------------------------------------------------------------- digest and pack previews


def digest_preview(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> Digest:
    """The weekly digest as it would go out now (nothing is sent or recorded)."""
    board, _ = _readable_board(uow, actor, board_name, now)
    return build_digest(uow, board.id, now)


def pack_preview(uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime) -> Pack:
    """The pack for the board's next meeting (today's, on a meeting day), as it stands now."""
    board, info = _readable_board(uow, actor, board_name, now)
    meeting = _cycle(uow, board).next_meeting(info.today)
    if meeting is None:
        raise UserError(
            f"“{board.name}” has no meeting coming up, so there's no pack yet. Set the cycle: "
            "`/plan board meetings second Tuesday monthly at 10:00`."
        )
    return build_pack(uow, board.id, meeting, now)


def may_decide_date_changes(uow: UnitOfWork, actor: Actor, board_name: str | None) -> bool:
    """Whether the person may approve or decline the board's date changes."""
    board = find_board(uow, actor.workspace_id, board_name)
    return is_allowed(Permission.APPROVE_DATE, approver_standing(uow, actor, board))


# ---------------------------------------------------------------- date changes


def pending_changes(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> PendingList:
    """Date changes waiting for a decision, oldest first."""
    board, info = _readable_board(uow, actor, board_name, now)
    requester = aliased(Person)
    request = DateChangeRequest
    rows = uow.session.execute(
        select(
            request.id,
            Action.ref,
            Action.title,
            request.old_due_date,
            request.new_due_date,
            request.new_due_precision,
            request.reason,
            requester.name,
            requester.slack_user_id,
            request.requested_at,
        )
        .join(Action, Action.id == request.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(requester, requester.id == request.requested_by_id)
        .where(_in_board(board.id), request.state == "pending")
        .order_by(request.requested_at, request.id)
    ).all()
    items = tuple(
        PendingDateChange(
            id=request_id,
            ref=ref,
            title=title,
            old_due=old_due,
            new_due=new_due,
            new_precision=precision,
            reason=reason,
            requested_by=Who(name, slack_user) if name is not None else None,
            requested_at=requested_at,
        )
        for (
            request_id,
            ref,
            title,
            old_due,
            new_due,
            precision,
            reason,
            name,
            slack_user,
            requested_at,
        ) in rows
    )
    can_decide = is_allowed(Permission.APPROVE_DATE, approver_standing(uow, actor, board))
    return PendingList(info, items, can_decide)


def decide(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    approve: bool,
    now: dt.datetime,
    note: str | None = None,
) -> Decision:
    """Approve or decline a date change (`decide_date_change`) and say what was decided.
    The caller commits."""
    request = decide_date_change(uow, actor, request_id, approve, now, note)
    action = request.action
    requester = request.requested_by
    return Decision(
        id=request.id,
        board=action.plan.board.name,
        ref=action.ref,
        title=action.title,
        state=request.state,
        old_due=request.old_due_date,
        new_due=request.new_due_date,
        new_precision=request.new_due_precision,
        requested_by=Who(requester.name, requester.slack_user_id) if requester else None,
        note=request.decision_note,
    )
