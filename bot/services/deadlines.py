"""Statutory and board deadlines (issue 12, DESIGN §13): stored on a board's active plan,
counted in working days of the board's region calendar.

`/plan deadline add|remove`, `/plan deadlines` and `/board deadlines` run `DeadlineService`;
the digest and the pack read `board_countdowns` (`plan show --json` lists them too); the
reminders at 20, 10, 5 and 0 working days are planned in bot.services.outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.core.calendar import calendar_for, local_date
from bot.core.dates import format_day
from bot.core.deadline_requests import AskedDeadline
from bot.core.deadlines import Countdown, Deadline, WorkingDaysRule, countdown
from bot.core.errors import NotFound, UserError
from bot.core.permissions import Permission, check
from bot.services import UseCases
from bot.services.plans import Actor, audit, find_board, standing
from bot.services.uow import UnitOfWork
from db.models import Board, Person, Plan, StatutoryDeadline

if TYPE_CHECKING:
    from bot.services.linking import SlackProfile


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as people read it: its countdown on the board's today."""

    deadline_id: int
    board: str
    plan: str
    title: str
    due: dt.date
    rule: str | None  # "70 working days from Tuesday 12 March 2019"
    owner: str | None
    working_days_left: int
    overdue: bool
    text: str  # "Statement of action: 14 working days left, due Friday 21 June 2019"

    @property
    def red(self) -> bool:
        return self.overdue


@dataclass(frozen=True)
class DeadlineChange:
    deadline: DeadlineView
    replaced: bool = False  # a deadline of that title was there already: its date changed


def as_deadline(row: StatutoryDeadline) -> Deadline:
    rule = None
    if row.start is not None and row.working_days is not None:
        rule = WorkingDaysRule(row.start, row.working_days)
    return Deadline(row.name, row.due, rule, row.owner_id)


def _view(uow: UnitOfWork, row: StatutoryDeadline, board: Board, today: dt.date) -> DeadlineView:
    deadline = as_deadline(row)
    counted = countdown(deadline, today, calendar_for(board.region))
    owner = uow.session.get(Person, row.owner_id) if row.owner_id is not None else None
    return DeadlineView(
        deadline_id=row.id,
        board=board.name,
        plan=row.plan.title,
        title=row.name,
        due=row.due,
        rule=deadline.rule.describe() if deadline.rule else None,
        owner=owner.name if owner is not None else None,
        working_days_left=counted.working_days_left,
        overdue=counted.overdue,
        text=counted.text,
    )


def board_deadlines(uow: UnitOfWork, board_id: int) -> list[StatutoryDeadline]:
    """The deadlines on a board's active plans, soonest first."""
    return list(
        uow.session.scalars(
            select(StatutoryDeadline)
            .join(Plan, Plan.id == StatutoryDeadline.plan_id)
            .where(Plan.board_id == board_id, Plan.active.is_(True))
            .order_by(StatutoryDeadline.due, StatutoryDeadline.id)
        )
    )


def board_countdowns(uow: UnitOfWork, board: Board, today: dt.date) -> tuple[Countdown, ...]:
    """The countdown lines of a board's deadlines, for the digest and the pack."""
    calendar = calendar_for(board.region)
    return tuple(
        countdown(as_deadline(row), today, calendar) for row in board_deadlines(uow, board.id)
    )


def _active_plan(uow: UnitOfWork, board: Board) -> Plan:
    plan = uow.session.scalar(
        select(Plan)
        .where(Plan.board_id == board.id, Plan.active.is_(True))
        .order_by(Plan.id)
        .limit(1)
    )
    if plan is None:
        raise UserError(
            f"“{board.name}” has no active plan for deadlines yet: start one with "
            '`/plan new "<title>"`.'
        )
    return plan


# A due date further back than this is taken for a typing slip (a year typed wrong).
LONG_PAST = dt.timedelta(days=365)


def _refuse_long_past(due: dt.date, plan: Plan, today: dt.date) -> None:
    """Refuse a due date before the plan's publication or more than a year ago."""
    if plan.published_on is not None and due < plan.published_on:
        raise UserError(
            f"That would be due {format_day(due)}, before “{plan.title}” was published "
            f"({format_day(plan.published_on)}). Check the date (and its year) and type it again."
        )
    if due < today - LONG_PAST:
        raise UserError(
            f"That would be due {format_day(due)}, over a year ago. Check the date (and its "
            "year) and type it again; a deadline long past needs no countdown."
        )


def _by_title(uow: UnitOfWork, board: Board, title: str) -> StatutoryDeadline | None:
    wanted = " ".join(title.split()).casefold()
    return next(
        (
            d
            for d in board_deadlines(uow, board.id)
            if " ".join(d.name.split()).casefold() == wanted
        ),
        None,
    )


class DeadlineService(UseCases):
    """`/plan deadline add|remove`, `/plan deadlines` and `/board deadlines`."""

    def add(
        self,
        actor: Actor,
        request: AskedDeadline,
        owner: SlackProfile | None,
        board_name: str | None,
        now: dt.datetime,
        *,
        change: bool = False,
    ) -> DeadlineChange:
        """Add a deadline (`change`: change the date or owner of one already there).

        A title already on the board is refused when adding, so that a slip of the keyboard
        never moves a statutory date silently; a due date before the plan's publication or
        more than a year ago is refused as a typing slip (a past deadline needs no countdown).
        """
        from bot.services.admin import person_for_profile

        def work(uow: UnitOfWork) -> DeadlineChange:
            board = find_board(uow, actor.workspace_id, board_name)
            check(Permission.CONFIGURE, standing(uow, actor, board.id))
            owner_id = person_for_profile(uow, actor, owner).id if owner is not None else None
            deadline = request.deadline(calendar_for(board.region), owner_id)
            today = local_date(now, board.timezone)
            row = _by_title(uow, board, deadline.title)
            if row is not None and not change:
                raise UserError(
                    f"“{row.name}” is already a deadline, due {format_day(row.due)}. To move it, "
                    f'type `/plan deadline change "{row.name}" due <date>`, or remove it first '
                    f'with `/plan deadline remove "{row.name}"`.'
                )
            if row is None and change:
                names = ", ".join(f"“{d.name}”" for d in board_deadlines(uow, board.id))
                raise NotFound(
                    f"“{board.name}” has no deadline called “{deadline.title}” to change"
                    + (f"; its deadlines are {names}." if names else "; add it with `add`.")
                )
            plan = row.plan if row is not None else _active_plan(uow, board)
            _refuse_long_past(deadline.due, plan, today)
            replaced = row is not None
            before = {"due": row.due.isoformat()} if row is not None else None
            if row is None:
                row = StatutoryDeadline(plan_id=plan.id, name=deadline.title)
                uow.session.add(row)
            row.due = deadline.due
            row.start = deadline.rule.start if deadline.rule else None
            row.working_days = deadline.rule.working_days if deadline.rule else None
            row.owner_id = owner_id if owner_id is not None else row.owner_id
            uow.session.flush()
            uow.session.refresh(row)
            audit(
                uow, actor, now, "deadline.set", "deadline", row.id, before,
                {"title": row.name, "due": row.due.isoformat()},
            )  # fmt: skip
            return DeadlineChange(_view(uow, row, board, today), replaced)

        return self.units.committed(work)

    def remove(
        self, actor: Actor, title: str, board_name: str | None, now: dt.datetime
    ) -> DeadlineView:
        def work(uow: UnitOfWork) -> DeadlineView:
            board = find_board(uow, actor.workspace_id, board_name)
            check(Permission.CONFIGURE, standing(uow, actor, board.id))
            row = _by_title(uow, board, title)
            if row is None:
                names = ", ".join(f"“{d.name}”" for d in board_deadlines(uow, board.id))
                raise NotFound(
                    f"“{board.name}” has no deadline called “{title}”"
                    + (f"; its deadlines are {names}." if names else "; it has none yet.")
                )
            view = _view(uow, row, board, local_date(now, board.timezone))
            audit(
                uow, actor, now, "deadline.remove", "deadline", row.id,
                {"title": row.name, "due": row.due.isoformat()}, None,
            )  # fmt: skip
            uow.session.delete(row)
            return view

        return self.units.committed(work)

    def listed(
        self, actor: Actor, board_name: str | None, now: dt.datetime, *, every_board: bool = False
    ) -> list[DeadlineView]:
        """One board's deadlines (every board's, when asked for none by name and `every_board`)."""
        with self.units.request() as uow:
            if every_board and board_name is None:
                boards = list(
                    uow.session.scalars(
                        select(Board)
                        .where(Board.workspace_id == actor.workspace_id)
                        .order_by(Board.id)
                    )
                )
            else:
                boards = [find_board(uow, actor.workspace_id, board_name)]
            out: list[DeadlineView] = []
            for board in boards:
                check(Permission.READ, standing(uow, actor, board.id))
                today = local_date(now, board.timezone)
                out += [_view(uow, row, board, today) for row in board_deadlines(uow, board.id)]
            return out
