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
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.core.board_status import (
    ActionRow,
    Counted,
    StatusCounts,
    ThemeStatus,
    Who,
    count_owing,
    count_statuses,
    overdue,
    status_by_theme,
)
from bot.core.calendar import calendar_for, local_date
from bot.core.digest import (
    DateChangeRow,
    Digest,
    OverdueAction,
    Pack,
    PendingDateChange,
    overdue_action,
    pending_date_change,
)
from bot.core.errors import NotFound, UserError
from bot.core.permissions import Permission, check, is_allowed
from bot.core.reminder_policy import ReminderPolicy, policy_from_overrides
from bot.services.challenges import may_challenge, may_close
from bot.services.cover import MyAbsence, my_absence_now
from bot.services.digest import build_digest, build_pack
from bot.services.owner import BoardStatus as OwnerBoardStatus
from bot.services.owner import MyAction, my_boards_status, my_open_actions
from bot.services.paper import BoardPaper, build_paper
from bot.services.plans import Actor, find_board, normalise_ref, standing
from bot.services.progress import approver_standing
from bot.services.queries import (
    action_date_changes,
    action_rows,
    board_cycle,
    counted,
    date_change_rows,
    theme_rows,
)
from bot.services.uow import UnitOfWork
from db.models import Action, Board, DateChangeRequest, Person, Plan, ProgressUpdate

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.services import Units

MEETINGS_SHOWN = 6
MEETINGS_HORIZON = dt.timedelta(days=730)
HISTORY_LIMIT = 100

MeetingKind = Literal["regular", "added", "cancelled"]
Moment = dt.datetime | None  # None: the clock's now
_View = TypeVar("_View")


# ---------------------------------------------------------------- the views


@dataclass(frozen=True)
class BoardInfo:
    id: int
    name: str
    timezone: str
    today: dt.date  # board-local


@dataclass(frozen=True)
class BoardStatus(Counted):
    """Status by theme: counts by BRAG, % complete and overdue, with totals."""

    board: BoardInfo
    themes: tuple[ThemeStatus, ...]
    counts: StatusCounts
    overdue: int
    pending_date_changes: int
    owing_evidence: int = 0  # complete, impact not yet evidenced

    @property
    def several_plans(self) -> bool:
        return len({t.plan for t in self.themes}) > 1


@dataclass(frozen=True)
class OverdueList:
    """Open actions past their due date, most overdue first."""

    board: BoardInfo
    items: tuple[OverdueAction, ...]
    can_challenge: bool = False  # whether the viewer may challenge the actions listed


@dataclass(frozen=True)
class ThemeDetail:
    board: BoardInfo
    plan: str
    ref: str
    title: str
    lead: Who | None
    counts: StatusCounts
    actions: tuple[ActionRow, ...]
    can_challenge: bool = False  # whether the viewer may challenge the actions listed

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.working_days_overdue is not None)

    @property
    def owing_evidence(self) -> int:
        return count_owing(self.actions)


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
    date_changes: tuple[DateChangeRow, ...]  # newest first
    due_text: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # the imported sheet's other columns
    action_id: int = 0
    can_challenge: bool = False  # whether the viewer may challenge the action
    impact: str | None = None  # the latest impact judgement given
    evidence: str | None = None  # the latest evidence of impact given


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
    board, info, _ = _read_by(uow, actor, board_name, now)
    return board, info


def _read_by(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> tuple[Board, BoardInfo, bool]:
    """The board, as `_readable_board`, and whether the reader may challenge its actions."""
    board = find_board(uow, actor.workspace_id, board_name)
    found = standing(uow, actor, board.id)
    check(Permission.READ, found)
    info = BoardInfo(board.id, board.name, board.timezone, local_date(now, board.timezone))
    return board, info, is_allowed(Permission.ASK_CHALLENGE, found)


# ---------------------------------------------------------------- status by theme


def board_status(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> BoardStatus:
    """Counts by status, % complete and overdue for every theme of the board's active plans."""
    board, info = _readable_board(uow, actor, board_name, now)
    rows = action_rows(uow.session, now, board_ids=[board.id])
    themes = status_by_theme(theme_rows(uow.session, [board.id]), rows)
    return BoardStatus(
        board=info,
        themes=themes,
        counts=count_statuses(r.status for r in rows),
        overdue=sum(t.overdue for t in themes),
        pending_date_changes=len(date_change_rows(uow.session, board.id, pending=True)),
        owing_evidence=count_owing(rows),
    )


# ---------------------------------------------------------------- overdue


def overdue_actions(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> OverdueList:
    """Open actions due before today, most overdue first, with their owners."""
    board, info, can_challenge = _read_by(uow, actor, board_name, now)
    rows = action_rows(uow.session, now, board_ids=[board.id], open_only=True)
    items = tuple(overdue_action(r) for r in overdue(rows))
    return OverdueList(info, items, can_challenge)


# ---------------------------------------------------------------- one theme


def theme_detail(
    uow: UnitOfWork, actor: Actor, board_name: str | None, ref: str, now: dt.datetime
) -> ThemeDetail:
    """One theme: its lead, counts, and every action with owners and its latest update.

    With several active plans holding the same theme ref, the newest plan's theme is shown.
    """
    board, info, can_challenge = _read_by(uow, actor, board_name, now)
    found = theme_rows(uow.session, [board.id], ref=normalise_ref(ref))
    if not found:
        raise NotFound(
            f"There's no theme {ref} on “{board.name}”. `/board` lists the board's themes."
        )
    theme = found[-1]  # the newest plan's
    rows = tuple(action_rows(uow.session, now, theme_id=theme.id))
    return ThemeDetail(
        board=info,
        plan=theme.plan,
        ref=theme.ref,
        title=theme.title,
        lead=theme.lead,
        counts=count_statuses(r.status for r in rows),
        actions=rows,
        can_challenge=can_challenge,
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
    cycle = board_cycle(board)
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
    board, info, can_challenge = _read_by(uow, actor, board_name, now)
    session = uow.session
    action = session.scalars(
        select(Action)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.board_id == board.id, counted(), Action.ref == normalise_ref(ref))
        .order_by(Plan.id.desc())
        .limit(1)
    ).first()
    if action is None:
        raise NotFound(
            f"There's no action {ref} on “{board.name}”. `/board theme <ref>` lists a theme's "
            "actions."
        )
    (row,) = action_rows(session, now, action_ids=[action.id])
    author, covered = aliased(Person), aliased(Person)  # covered: the owner a deputy stood in for
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
            covered.name,
        )
        .outerjoin(author, author.id == ProgressUpdate.author_id)
        .outerjoin(covered, covered.id == ProgressUpdate.covering_for_id)
        .where(ProgressUpdate.action_id == action.id, ProgressUpdate.at <= now)
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return ActionHistory(
        board=info,
        ref=action.ref,
        title=action.title,
        status=action.status,
        due=action.due_date,
        due_precision=action.due_precision,
        original_due=action.original_due_date,
        owners=row.owners,
        updates=tuple(_update_entry(row) for row in update_rows),
        total_updates=update_rows[0].total if update_rows else 0,
        date_changes=tuple(action_date_changes(session, action.id, now)),
        due_text=action.due_text,
        fields=tuple((str(k), str(v)) for k, v in (action.fields or {}).items()),
        action_id=action.id,
        can_challenge=can_challenge,
        impact=row.impact,
        evidence=row.evidence,
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
    board, meeting = _pack_meeting(uow, actor, board_name, now)
    return build_pack(uow, board.id, meeting, now)


def _pack_meeting(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> tuple[Board, dt.date]:
    """The board, when the reader may read it, and its next meeting (today's, on a meeting
    day)."""
    board, info = _readable_board(uow, actor, board_name, now)
    meeting = board_cycle(board).next_meeting(info.today)
    if meeting is None:
        raise UserError(
            f"“{board.name}” has no meeting coming up, so there's no pack yet. Set the cycle: "
            "`/plan board meetings second Tuesday monthly at 10:00`."
        )
    return board, meeting


def board_paper(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> BoardPaper | None:
    """The committee paper for the board's next meeting, for whoever decides its date changes
    (the chair); None for anyone else, who reads the pack in Slack."""
    board, meeting = _pack_meeting(uow, actor, board_name, now)
    if not is_allowed(Permission.APPROVE_DATE, approver_standing(uow, actor, board)):
        return None
    return build_paper(uow, board.id, meeting, now)


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
    rows = date_change_rows(uow.session, board.id, pending=True)
    items = tuple(pending_date_change(row) for row in rows)
    can_decide = is_allowed(Permission.APPROVE_DATE, approver_standing(uow, actor, board))
    return PendingList(info, items, can_decide)


def decision(request: DateChangeRequest) -> Decision:
    """What was decided on a date change (`decide_date_change`), as the chair is told."""
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


# ---------------------------------------------------------------- the use cases


@dataclass(frozen=True)
class PackPreview:
    pack: Pack
    can_decide: bool  # whether the viewer may approve or decline its date changes
    can_challenge: bool = False  # whether the viewer may challenge its actions
    can_close: bool = False  # whether the viewer may close and follow up its challenges


@dataclass(frozen=True)
class Home:
    """A person's App Home: their open actions and their boards' status by theme."""

    actions: tuple[MyAction, ...]
    boards: tuple[OwnerBoardStatus, ...]
    away: MyAbsence | None = None  # my absence under way, or my next one


class ViewService:
    """What people read: `/board`'s views and the App Home. Each call is one read-only unit of
    work; `now` defaults to the clock's."""

    def __init__(self, units: Units, clock: Clock) -> None:
        self.units = units
        self.clock = clock

    def _read(self, view: Callable[..., _View], *args: Any) -> _View:
        """`view` in a unit that only reads: on SQLite it begins deferred and reads a snapshot,
        so a chair's view neither waits for a long write (an import, the 09:00 planning) nor
        holds an owner's update up while a large board's digest or pack is built."""
        with self.units.reading() as uow:
            return view(uow, *args)

    def status(self, actor: Actor, board: str | None, now: Moment = None) -> BoardStatus:
        return self._read(board_status, actor, board, now or self.clock.now())

    def overdue(self, actor: Actor, board: str | None, now: Moment = None) -> OverdueList:
        return self._read(overdue_actions, actor, board, now or self.clock.now())

    def theme(self, actor: Actor, board: str | None, ref: str, now: Moment = None) -> ThemeDetail:
        return self._read(theme_detail, actor, board, ref, now or self.clock.now())

    def meetings(self, actor: Actor, board: str | None, now: Moment = None) -> MeetingsView:
        return self._read(meetings, actor, board, now or self.clock.now())

    def history(
        self, actor: Actor, board: str | None, ref: str, now: Moment = None
    ) -> ActionHistory:
        return self._read(action_history, actor, board, ref, now or self.clock.now())

    def pending(self, actor: Actor, board: str | None, now: Moment = None) -> PendingList:
        return self._read(pending_changes, actor, board, now or self.clock.now())

    def digest(self, actor: Actor, board: str | None, now: Moment = None) -> Digest:
        return self._read(digest_preview, actor, board, now or self.clock.now())

    def pack(self, actor: Actor, board: str | None, now: Moment = None) -> PackPreview:
        return self._read(_pack_preview, actor, board, now or self.clock.now())

    def paper(self, actor: Actor, board: str | None, now: Moment = None) -> BoardPaper | None:
        """Made after the pack preview has been answered, in a unit that only reads: a large
        board's paper takes seconds, and on SQLite holds no writer up meanwhile."""
        with self.units.reading() as uow:
            return board_paper(uow, actor, board, now or self.clock.now())

    def home(self, actor: Actor, now: Moment = None) -> Home:
        """Drawn after the answer has gone, so it may wait for a writer."""
        at = now or self.clock.now()
        with self.units.patient() as uow:
            return Home(
                tuple(my_open_actions(uow, actor, at)),
                tuple(my_boards_status(uow, actor, at)),
                my_absence_now(uow, actor, at),
            )


def _pack_preview(
    uow: UnitOfWork, actor: Actor, board_name: str | None, now: dt.datetime
) -> PackPreview:
    pack = pack_preview(uow, actor, board_name, now)
    asks = may_challenge(uow, actor, pack.digest.board_id)
    closes = may_close(uow, actor, pack.digest.board_id)
    return PackPreview(pack, may_decide_date_changes(uow, actor, board_name), asks, closes)


def _update_entry(row: Any) -> UpdateEntry:
    """A history row; a deputy's update reads "Sam Smith, covering for Jo Doe"."""
    entry = UpdateEntry(*row[:9])
    covered = row[10]
    if covered and entry.author:
        return replace(entry, author=f"{entry.author}, covering for {covered}")
    return entry
