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
import functools
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Executable, ScalarSelect, and_, bindparam, select

from bot.core.board_status import ActionRow
from bot.core.calendar import local_date
from bot.core.movement import (
    ActionMovement,
    DueChange,
    StatusHistory,
    slips_since,
    status_at_cutoff,
)
from bot.core.statuses import status_of
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


# An action as movement reads it: its ref, today's status and its status history.
Moving = tuple[str, str, StatusHistory]


def moving(row: ActionRow) -> Moving:
    """An action read model as movement reads it."""
    assert row.history is not None, "action_rows gives every row its history"
    return row.ref, row.status, row.history


def moving_action(action: Action) -> Moving:
    """An action row as movement reads it (its plan is loaded with it)."""
    history = StatusHistory(
        action.created_at or action.plan.created_at,  # when it was added
        action.first_update_at,
        action.first_replaced_status,
        action.status_set_at,
        action.status_set_to,
    )
    return action.ref, action.status, history


def movements(
    uow: UnitOfWork,
    actions: Mapping[int, Moving],
    cutoff: dt.datetime | None,
    *,
    board_id: int | None = None,
) -> dict[int, ActionMovement]:
    """Each action's movement since `cutoff` (every action is new when it is None), from the
    history it keeps; only those whose status was set since the cut-off look among their
    updates for the one in force at it. With `board_id`, the lookups select by board: a long
    list of ids costs more to send than the board's filter does."""
    if not actions:
        return {}
    cutoff = cutoff.astimezone(dt.UTC) if cutoff is not None else None
    # Plain rows through the Core connection: the ORM's per-row bookkeeping costs more than
    # the query on a large plan.
    session = uow.session
    session.flush()
    connection = session.connection()
    set_query, due_query = _queries(board_id is not None)
    values: dict[str, Any] = (
        {"board_id": board_id} if board_id is not None else {"action_ids": list(actions)}
    )
    set_since: dict[int, tuple[dt.datetime | None, str | None]] = {}
    if cutoff is not None:
        set_since = {
            action_id: (at, status)
            for action_id, at, status in connection.execute(
                set_query, {**values, "cutoff": cutoff}
            ).all()
        }
    due: dict[int, list[DueChange]] = defaultdict(list)
    for action_id, decided_at, old, new in connection.execute(due_query, values).all():
        if decided_at is not None and old is not None:
            due[action_id].append(DueChange(decided_at, old, new))
    found = {}
    for action_id, (ref, status, history) in actions.items():
        now_status = status_of(status)
        before = (
            status_at_cutoff(history, now_status, cutoff, set_since.get(action_id))
            if cutoff is not None
            else None
        )
        slips = slips_since(due[action_id], cutoff) if action_id in due else 0
        found[action_id] = ActionMovement(ref, before, now_status, slips, cutoff)
    return found


@functools.cache
def _queries(by_board: bool) -> tuple[Executable, Executable]:
    """`movements`' two statements, made once: the latest status set by the cut-off of the
    actions whose status was set since, and the approved date changes; the actions chosen
    by board (`board_id`) or by id (`action_ids`)."""
    which = (
        and_(Plan.board_id == bindparam("board_id"), counted())
        if by_board
        else Action.id.in_(bindparam("action_ids", expanding=True))
    )
    cutoff = bindparam("cutoff", type_=Action.__table__.c.status_set_at.type)
    set_query = (
        select(
            Action.id, _set_by(ProgressUpdate.at, cutoff), _set_by(ProgressUpdate.status, cutoff)
        )
        .join(Plan, Plan.id == Action.plan_id)
        .where(which, Action.status_set_at > cutoff)
    )
    due_query = (
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
    )
    return set_query, due_query


# Correlated with Action, it reads one row off the partial (action_id, at) index; ranking
# every update of the board instead is several times slower (see queries.latest_update_id).


def _set_by(column: Any, cutoff: Any) -> ScalarSelect[Any]:
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
