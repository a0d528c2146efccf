"""Movement since the last board: each action's status at the board's last meeting and now,
and its slips since (the rules are in bot.core.movement).

An action's status history is its progress updates (each holds the status after it and the
one before). Its status at a cut-off is that of the latest update at or before it; with none
by then, the status the first later update replaced (or today's, with no update at all). An
action counts as there at the cut-off when it was added to its plan by then (`created_at`; for
one from before that was kept, its plan's creation), or an update says so; otherwise it is
new.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import ScalarSelect, and_, func, select

from bot.core.calendar import local_date
from bot.core.movement import ActionMovement, DueChange, StatusChange, action_movement
from bot.core.statuses import Status
from bot.services.queries import board_cycle, counted
from bot.services.uow import UnitOfWork
from db.models import Action, Board, DateChangeRequest, Plan, ProgressUpdate


def last_meeting_before(board: Board, now: dt.datetime) -> dt.datetime | None:
    """The start of the board's latest meeting that has started by `now` (None: none yet)."""
    cycle = board_cycle(board)
    today = local_date(now, board.timezone)
    if cycle.next_meeting(today) == today and cycle.meeting_datetime(today) <= now:
        return cycle.meeting_datetime(today)
    previous = cycle.previous_meeting(today)
    return cycle.meeting_datetime(previous) if previous is not None else None


def _status(value: str | None) -> Status | None:
    try:
        return Status(value) if value else None
    except ValueError:
        return None


def movements(
    uow: UnitOfWork,
    action_ids: Collection[int],
    cutoff: dt.datetime | None,
    *,
    board_id: int | None = None,
) -> dict[int, ActionMovement]:
    """Each action's movement since `cutoff` (every action is new when it is None). With
    `board_id`, every action that counts on that board: a long list of ids costs more to send
    than the board's filter does."""
    if not action_ids:
        return {}
    which = (
        and_(Plan.board_id == board_id, counted())
        if board_id is not None
        else Action.id.in_(action_ids)
    )
    cutoff = cutoff.astimezone(dt.UTC) if cutoff is not None else None
    session = uow.session
    first_update = _first_update(ProgressUpdate.at), _first_update(ProgressUpdate.previous_status)
    since = func.coalesce(Action.created_at, Plan.created_at)  # when it was added
    at_cutoff = _set_by(ProgressUpdate.at, cutoff), _set_by(ProgressUpdate.status, cutoff)
    actions = session.execute(
        select(Action.id, Action.ref, Action.status, since, *first_update, *at_cutoff)
        .join(Plan, Plan.id == Action.plan_id)
        .where(which)
    ).all()
    due: dict[int, list[DueChange]] = defaultdict(list)
    for action_id, decided_at, old, new in session.execute(
        select(
            DateChangeRequest.action_id,
            DateChangeRequest.decided_at,
            DateChangeRequest.old_due_date,
            DateChangeRequest.new_due_date,
        )
        .join(Action, Action.id == DateChangeRequest.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(
            which,
            DateChangeRequest.state == "approved",
            DateChangeRequest.decided_at.is_not(None),
            DateChangeRequest.old_due_date.is_not(None),
        )
    ):
        if decided_at is not None and old is not None:
            due[action_id].append(DueChange(decided_at, old, new))
    found = {}
    for action_id, ref, status, plan_created, first_at, replaced, cut_at, cut_status in actions:
        now_status = Status(status)
        first = (first_at, replaced) if first_at is not None else None
        set_by = (cut_at, cut_status) if cut_at is not None else None
        changes = _changes(first, set_by, plan_created)
        found[action_id] = action_movement(
            ref, now_status, changes or _unchanged(plan_created, now_status), due[action_id], cutoff
        )
    return found


# Correlated with Action, each reads one row off the (action_id, at) index; ranking every
# update of the board instead is several times slower (see queries.latest_update_id).


def _first_update(column: Any) -> ScalarSelect[Any]:
    """A column of the action's first update (by time, then id)."""
    return (
        select(column)
        .where(ProgressUpdate.action_id == Action.id)
        .order_by(ProgressUpdate.at, ProgressUpdate.id)
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


def _set_by(column: Any, cutoff: dt.datetime | None) -> ScalarSelect[Any]:
    """A column of the action's latest update that set a status at or before the cut-off (the
    first of several at the same moment, as the history reads them in order)."""
    query = select(column).where(
        ProgressUpdate.action_id == Action.id,
        ProgressUpdate.status.is_not(None),
        ProgressUpdate.status != "",
    )
    if cutoff is not None:
        query = query.where(ProgressUpdate.at <= cutoff)
    return (
        query.order_by(ProgressUpdate.at.desc(), ProgressUpdate.id)
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


def _unchanged(plan_created: dt.datetime, now_status: Status) -> list[StatusChange]:
    """An action never updated has had today's status since its plan was made."""
    return [StatusChange(plan_created, now_status)]


def _changes(
    first: tuple[dt.datetime, str | None] | None,
    at_cutoff: tuple[dt.datetime, str] | None,
    plan_created: dt.datetime,
) -> list[StatusChange]:
    """The changes that decide the status at the cut-off: the one from the plan's creation (the
    status the first update replaced), and the latest set by then. Empty: never updated."""
    if first is None:
        return []
    first_at, replaced = first
    # Strictly before the first update, so an update made the moment its plan was created
    # still counts as a change.
    start = min(plan_created, first_at - dt.timedelta(microseconds=1))
    changes = [StatusChange(start, _status(replaced) or Status.NOT_STARTED)]
    if at_cutoff is not None and (status := _status(at_cutoff[1])) is not None:
        changes.append(StatusChange(at_cutoff[0], status))
    return changes
