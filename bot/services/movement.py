"""Movement since the last board: each action's status at the board's last meeting and now,
and its slips since (the rules are in bot.core.movement).

An action's status history is its progress updates (each holds the status after it and the
one before). Its status at a cut-off is that of the latest update at or before it; with none
by then, the status the first later update replaced (or today's, with no update at all). An
action counts as there at the cut-off when its plan was, or an update says so; otherwise it
is new.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from bot.core.calendar import local_date
from bot.core.movement import ActionMovement, DueChange, StatusChange, action_movement
from bot.core.statuses import Status
from bot.services.queries import board_cycle
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
    uow: UnitOfWork, action_ids: Collection[int], cutoff: dt.datetime | None
) -> dict[int, ActionMovement]:
    """Each action's movement since `cutoff` (every action is new when it is None)."""
    if not action_ids:
        return {}
    cutoff = cutoff.astimezone(dt.UTC) if cutoff is not None else None
    session = uow.session
    actions = session.execute(
        select(Action.id, Action.ref, Action.status, Plan.created_at)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Action.id.in_(action_ids))
    ).all()
    updates: dict[int, list[tuple[dt.datetime, str | None, str | None]]] = defaultdict(list)
    for action_id, at, status, previous in session.execute(
        select(
            ProgressUpdate.action_id,
            ProgressUpdate.at,
            ProgressUpdate.status,
            ProgressUpdate.previous_status,
        )
        .where(ProgressUpdate.action_id.in_(action_ids))
        .order_by(ProgressUpdate.at, ProgressUpdate.id)
    ):
        updates[action_id].append((at, status, previous))
    due: dict[int, list[DueChange]] = defaultdict(list)
    for action_id, decided_at, old, new in session.execute(
        select(
            DateChangeRequest.action_id,
            DateChangeRequest.decided_at,
            DateChangeRequest.old_due_date,
            DateChangeRequest.new_due_date,
        ).where(
            DateChangeRequest.action_id.in_(action_ids),
            DateChangeRequest.state == "approved",
            DateChangeRequest.decided_at.is_not(None),
            DateChangeRequest.old_due_date.is_not(None),
        )
    ):
        if decided_at is not None and old is not None:
            due[action_id].append(DueChange(decided_at, old, new))
    found = {}
    for action_id, ref, status, plan_created in actions:
        now_status = Status(status)
        history = updates[action_id]
        changes = _changes(history, plan_created, now_status)
        found[action_id] = action_movement(ref, now_status, changes, due[action_id], cutoff)
    return found


def _changes(
    history: list[tuple[dt.datetime, str | None, str | None]],
    plan_created: dt.datetime,
    now_status: Status,
) -> list[StatusChange]:
    """The action's status changes: from its plan's creation (the status the first update
    replaced, or today's), then after each update."""
    first = _status(history[0][2]) if history else now_status
    # Strictly before the first update, so an update made the moment its plan was created
    # still counts as a change.
    start = min([plan_created, *(at - dt.timedelta(microseconds=1) for at, _, _ in history[:1])])
    changes = [StatusChange(start, first or Status.NOT_STARTED)]
    for at, status, _ in history:
        after = _status(status)
        if after is not None:
            changes.append(StatusChange(at, after))
    return changes
