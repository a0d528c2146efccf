"""The reads every view shares, each written once.

- `action_rows`: actions as `ActionRow`s (owners, delegates, latest update, overdue), in two
  statements whatever the number of actions.
- `latest_update_id`: which progress update is an action's latest (at or before `now`).
- `theme_rows`: the themes of boards' active plans.
- `date_change_rows`: date-change requests of a board, pending or decided in a period.
- `board_cycle`: a board's meeting cycle with its one-off changes.

Only active plans count, and removed actions never do.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    and_,
    bindparam,
    case,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from bot.core.board_status import ActionRow, LatestUpdate, ThemeRow, Who, working_days_overdue
from bot.core.calendar import WorkingCalendar, calendar_for, local_date
from bot.core.digest import DateChangeRow
from bot.core.meetings import MeetingCycle
from bot.core.movement import StatusHistory
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    Person,
    Plan,
    ProgressUpdate,
    Theme,
)

OWNER = "owner"
DELEGATE = "delegate"

Moment = BindParameter[dt.datetime]  # `now` bound when a statement made once runs

# Aliases made once: making them per query costs more than some of the queries.
_LATEST = aliased(ProgressUpdate, name="latest")
_AUTHOR = aliased(Person, name="author")
_LEAD = aliased(Person, name="lead")
_REQUESTER = aliased(Person, name="requester")
_DECIDER = aliased(Person, name="decider")


def counted() -> ColumnElement[bool]:
    """Actions that count: in an active plan and not removed (joined with Plan)."""
    return and_(Plan.active.is_(True), Action.removed_at.is_(None))


def latest_update_id(now: dt.datetime | Moment | None, *, with_note: bool = False) -> Any:
    """The id of the action's newest update (by time, then id) at or before `now` (its newest
    when None), correlated with `Action`; `with_note`: the newest that has a note.

    The action keeps its newest (`Action.latest_update_id`); only a view of a past moment
    older than it, or one asking for a note, looks among the updates: a correlated subquery
    that reads each action's newest straight off the (action_id, at) index (ranking or
    grouping all the board's updates instead is several times slower)."""
    if now is None and not with_note:
        return Action.latest_update_id
    query = select(ProgressUpdate.id).where(ProgressUpdate.action_id == Action.id)
    if now is not None:
        query = query.where(ProgressUpdate.at <= now)
    if with_note:
        query = query.where(ProgressUpdate.note.is_not(None), ProgressUpdate.note != "")
    looked_up = (
        query.order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    if with_note:
        return looked_up
    kept_at = Action.latest_update_at
    return case((or_(kept_at.is_(None), kept_at <= now), Action.latest_update_id), else_=looked_up)


def latest_given(kept: Any, kept_at: Any, column: Any, now: dt.datetime | Moment | None) -> Any:
    """An action's latest impact judgement or evidence at or before `now` (its latest when
    None). The action keeps the latest (`kept`, given at `kept_at`); only a view of the past
    that is older than it looks among the updates, and SQL's CASE asks them only then."""
    if now is None:
        return kept
    earlier = (
        select(column)
        .where(
            ProgressUpdate.action_id == Action.id,
            column.is_not(None),
            column != "",
            ProgressUpdate.at <= now,
        )
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    return case((or_(kept_at.is_(None), kept_at <= now), kept), else_=earlier)


def action_rows(
    session: Session,
    now: dt.datetime,
    *,
    board_ids: Collection[int] | None = None,
    theme_id: int | None = None,
    action_ids: Collection[int] | None = None,
    assigned_to: int | None = None,
    workspace_id: int | None = None,
    open_only: bool = False,
    latest_with_note: bool = False,
    latest_moment_only: bool = False,
) -> list[ActionRow]:
    """The actions that count and match every filter given, in plan, theme and action order:
    with owners and delegates, the latest update at or before `now` (the latest with a note
    when `latest_with_note`), and working days overdue on the board-local day of `now`.

    `assigned_to`: actions the person owns or stands in for. `open_only`: not blue.
    `latest_moment_only`: for views that need only when each action was last updated (the
    digest and the pack): `latest` carries its time alone (no author, status or note), read
    off the action itself, and the updates are not joined.
    Two statements, whatever the number of actions."""
    # Plain rows through the Core connection: the ORM's per-row bookkeeping would cost more
    # than the queries themselves on a large plan. Flush first, as session.execute would.
    session.flush()
    connection = session.connection()
    shape = _Shape(
        board_ids is not None,
        theme_id is not None,
        action_ids is not None,
        assigned_to is not None,
        workspace_id is not None,
        open_only,
        latest_with_note,
        latest_moment_only and not latest_with_note,
    )
    values: dict[str, Any] = {"now": now}
    if board_ids is not None:
        values["board_ids"] = list(board_ids)
    if theme_id is not None:
        values["theme_id"] = theme_id
    if action_ids is not None:
        values["action_ids"] = list(action_ids)
    if assigned_to is not None:
        values["assigned_to"] = assigned_to
    if workspace_id is not None:
        values["workspace_id"] = workspace_id
    actions_query, people_query = _action_queries(shape)
    rows = connection.execute(actions_query, values).all()
    if not rows:
        return []
    people = _people(connection.execute(people_query, values).all())
    boards: dict[int, tuple[dt.date, WorkingCalendar]] = {}
    nobody: _People = ((), (), (), ())
    found: list[ActionRow] = []
    append = found.append
    for (
        action_id,
        plan_id,
        plan,
        board_id,
        board,
        tz,
        region,
        theme_id_,
        theme_ref,
        ref,
        title,
        status,
        due,
        precision,
        due_text,
        slips,
        at,
        author_name,
        latest_status,
        note,
        source,
        impact,
        evidence,
        plan_created,
        first_update_at,
        first_replaced,
        set_at,
        set_to,
    ) in rows:
        if board_id not in boards:
            boards[board_id] = (local_date(now, tz), calendar_for(region))
        today, calendar = boards[board_id]
        owners, owner_ids, delegates, delegate_ids = people.get(action_id, nobody)
        append(
            ActionRow(
                id=action_id,
                plan_id=plan_id,
                plan=plan,
                board_id=board_id,
                board=board,
                timezone=tz,
                theme_id=theme_id_,
                theme_ref=theme_ref,
                ref=ref,
                title=title,
                status=status,
                due=due,
                due_precision=precision,
                due_text=due_text,
                owners=owners,
                owner_ids=owner_ids,
                delegates=delegates,
                delegate_ids=delegate_ids,
                latest=LatestUpdate(at, author_name, latest_status, note, source or "")
                if at is not None
                else None,
                working_days_overdue=working_days_overdue(calendar, due, status, today),
                slips=slips or 0,
                impact=impact,
                evidence=evidence,
                history=StatusHistory(
                    plan_created, first_update_at, first_replaced, set_at, set_to
                ),
            )
        )
    return found


class _Shape(NamedTuple):
    """Which of `action_rows`' filters and options are given: its statements are built once
    for each shape, with the values as bound parameters."""

    board_ids: bool
    theme_id: bool
    action_ids: bool
    assigned_to: bool
    workspace_id: bool
    open_only: bool
    latest_with_note: bool
    latest_moment_only: bool


@functools.cache
def _action_queries(shape: _Shape) -> tuple[Executable, Executable]:
    """`action_rows`' two statements for a shape: the actions, and their owners and
    delegates. Made once: building them costs more than some of the queries."""
    now = bindparam("now", type_=ProgressUpdate.__table__.c.at.type)
    where = [counted()]
    if shape.board_ids:
        where.append(Plan.board_id.in_(bindparam("board_ids", expanding=True)))
    if shape.theme_id:
        where.append(Action.theme_id == bindparam("theme_id"))
    if shape.action_ids:
        where.append(Action.id.in_(bindparam("action_ids", expanding=True)))
    if shape.workspace_id:
        where.append(Board.workspace_id == bindparam("workspace_id"))
    if shape.open_only:
        where.append(Action.status != "blue")
    if shape.assigned_to:
        where.append(
            Action.id.in_(
                select(ActionAssignment.action_id).where(
                    ActionAssignment.person_id == bindparam("assigned_to"),
                    ActionAssignment.role.in_((OWNER, DELEGATE)),
                )
            )
        )
    latest, author = _LATEST, _AUTHOR
    nothing = null()
    if shape.latest_moment_only:
        kept_at = Action.latest_update_at
        latest_columns: tuple[Any, ...] = (
            case(
                (or_(kept_at.is_(None), kept_at <= now), kept_at),
                else_=_latest_at(now),
            ),
            nothing,
            nothing,
            nothing,
            nothing,
        )
    else:
        latest_columns = (latest.at, author.name, latest.status, latest.note, latest.source)
    query = (
        select(
            Action.id,
            Plan.id,
            Plan.title,
            Board.id,
            Board.name,
            Board.timezone,
            Board.region,
            Theme.id,
            Theme.ref,
            Action.ref,
            Action.title,
            Action.status,
            Action.due_date,
            Action.due_precision,
            Action.due_text,
            Action.date_changes,
            *latest_columns,
            latest_given(Action.impact, Action.impact_at, ProgressUpdate.impact, now),
            latest_given(Action.evidence, Action.evidence_at, ProgressUpdate.evidence, now),
            func.coalesce(Action.created_at, Plan.created_at),  # when it was added
            Action.first_update_at,
            Action.first_replaced_status,
            Action.status_set_at,
            Action.status_set_to,
        )
        .join(Plan, Plan.id == Action.plan_id)
        .join(Board, Board.id == Plan.board_id)
        .join(Theme, Theme.id == Action.theme_id)
    )
    if not shape.latest_moment_only:
        query = query.outerjoin(
            latest, latest.id == latest_update_id(now, with_note=shape.latest_with_note)
        ).outerjoin(author, author.id == latest.author_id)
    query = query.where(*where).order_by(
        Plan.id, Theme.position, Theme.id, Action.position, Action.id
    )
    people = (
        select(
            ActionAssignment.action_id,
            ActionAssignment.role,
            Person.id,
            Person.name,
            Person.slack_user_id,
        )
        .join(Person, Person.id == ActionAssignment.person_id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .join(Plan, Plan.id == Action.plan_id)
    )
    if shape.workspace_id:
        people = people.join(Board, Board.id == Plan.board_id)
    people = people.where(*where, ActionAssignment.role.in_((OWNER, DELEGATE))).order_by(
        ActionAssignment.action_id, ActionAssignment.position, Person.id
    )
    return query, people


def _latest_at(now: Moment) -> Any:
    """When the action's newest update at or before `now` was made, looked up among its
    updates (correlated with `Action`; see `latest_update_id`)."""
    return (
        select(ProgressUpdate.at)
        .where(ProgressUpdate.action_id == Action.id, ProgressUpdate.at <= now)
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )


# owners, their person ids, delegates, their person ids
_People = tuple[tuple[Who, ...], tuple[int, ...], tuple[Who, ...], tuple[int, ...]]


def _people(rows: Iterable[Any]) -> dict[int, _People]:
    """Owners and delegates of each action, in their order, from (action id, role, person
    id, name, Slack user) rows in action order; each person is one `Who`."""
    found: dict[int, _People] = {}
    seen: dict[int, Who] = {}
    current: int | None = None
    owners: list[Who] = []
    owner_ids: list[int] = []
    delegates: list[Who] = []
    delegate_ids: list[int] = []
    for action_id, role, person_id, name, slack_user_id in rows:
        if action_id != current:
            if current is not None:
                found[current] = (
                    tuple(owners),
                    tuple(owner_ids),
                    tuple(delegates),
                    tuple(delegate_ids),
                )
            current = action_id
            owners, owner_ids, delegates, delegate_ids = [], [], [], []
        who = seen.get(person_id)
        if who is None:
            who = seen[person_id] = Who(name, slack_user_id)
        if role == OWNER:
            owners.append(who)
            owner_ids.append(person_id)
        else:
            delegates.append(who)
            delegate_ids.append(person_id)
    if current is not None:
        found[current] = (tuple(owners), tuple(owner_ids), tuple(delegates), tuple(delegate_ids))
    return found


def theme_rows(
    session: Session, board_ids: Collection[int], *, ref: str | None = None
) -> list[ThemeRow]:
    """The themes of the boards' active plans, in board, plan and theme order; `ref`: only
    the themes with that ref."""
    lead = _LEAD
    query = (
        select(
            Theme.id,
            Plan.id,
            Plan.title,
            Plan.created_at,
            Plan.board_id,
            Theme.ref,
            Theme.title,
            lead.name,
            lead.slack_user_id,
        )
        .join(Plan, Plan.id == Theme.plan_id)
        .outerjoin(lead, lead.id == Theme.lead_id)
        .where(Plan.board_id.in_(board_ids), Plan.active.is_(True))
        .order_by(Plan.board_id, Plan.id, Theme.position, Theme.id)
    )
    if ref is not None:
        query = query.where(Theme.ref == ref)
    return [
        ThemeRow(*row[:7], lead=Who(row[7], row[8]) if row[7] is not None else None)
        for row in session.connection().execute(query).all()
    ]


def date_change_rows(
    session: Session,
    board_id: int,
    *,
    pending: bool = False,
    decided: Iterable[str] = (),
    decided_after: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[DateChangeRow]:
    """The board's date-change requests, oldest asked first: those still pending (`pending`),
    and those whose state is in `decided` and that were decided after `decided_after` (any
    time when None); with `until`, nothing asked or decided after it counts."""
    states = tuple(decided)
    if not pending and not states:
        return []
    values: dict[str, Any] = {"board_id": board_id}
    if states:
        values["states"] = list(states)
    if states and decided_after is not None:
        values["decided_after"] = decided_after
    if until is not None:
        values["until"] = until
    query = _date_change_query(
        pending, bool(states), bool(states) and decided_after is not None, until is not None
    )
    return _date_change_rows(session, query, values)


@functools.cache
def _date_change_query(pending: bool, decided: bool, after: bool, until: bool) -> Executable:
    """`date_change_rows`' statement for which of its filters are given, made once."""
    request = DateChangeRequest
    moment = request.__table__.c.requested_at.type
    wanted = []
    if pending:
        asked = request.requested_at <= bindparam("until", type_=moment) if until else true()
        wanted.append(and_(request.state == "pending", asked))
    if decided:
        since = request.decided_at > bindparam("decided_after", type_=moment) if after else true()
        before = request.decided_at <= bindparam("until", type_=moment) if until else true()
        wanted.append(and_(request.state.in_(bindparam("states", expanding=True)), since, before))
    return _date_change_select(Plan.board_id == bindparam("board_id"), counted(), or_(*wanted))


def action_date_changes(
    session: Session, action_id: int, until: dt.datetime
) -> list[DateChangeRow]:
    """An action's date-change requests asked by `until`, newest first."""
    request = DateChangeRequest
    query = _date_change_select(request.action_id == action_id, request.requested_at <= until)
    return _date_change_rows(session, query, {})[::-1]


def _date_change_select(*where: ColumnElement[bool]) -> Executable:
    """Date-change requests with the people who asked and decided, oldest asked first."""
    requester, decider = _REQUESTER, _DECIDER
    request = DateChangeRequest
    return (
        select(
            request.id,
            Action.theme_id,
            Action.ref,
            Action.title,
            request.old_due_date,
            request.new_due_date,
            request.new_due_precision,
            request.reason,
            request.state,
            requester.name,
            requester.slack_user_id,
            request.requested_at,
            decider.name,
            request.decided_at,
            request.decision_note,
        )
        .join(Action, Action.id == request.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(requester, requester.id == request.requested_by_id)
        .outerjoin(decider, decider.id == request.decided_by_id)
        .where(*where)
        .order_by(request.requested_at, request.id)
    )


def _date_change_rows(
    session: Session, query: Executable, values: dict[str, Any]
) -> list[DateChangeRow]:
    return [
        DateChangeRow(
            ref,
            title,
            old_due,
            new_due,
            precision,
            reason,
            id=request_id,
            theme_id=theme_id,
            state=state,
            requested_by=Who(asker, asker_slack) if asker is not None else None,
            requested_at=requested_at,
            decided_by=decider,
            decided_at=decided_at,
            note=note,
        )
        for (
            request_id,
            theme_id,
            ref,
            title,
            old_due,
            new_due,
            precision,
            reason,
            state,
            asker,
            asker_slack,
            requested_at,
            decider,
            decided_at,
            note,
        ) in session.connection().execute(query, values).all()
    ]


def board_cycle(board: Board, changes: Iterable[tuple[dt.date, str]] | None = None) -> MeetingCycle:
    """The board's meeting cycle with its one-off additions and cancellations (`changes`:
    (date, kind) pairs; the board's own when None). A cycle set without a start date starts
    on the day the board was created."""
    if changes is None:
        changes = [(c.date, c.kind) for c in board.meeting_changes]
    changes = list(changes)
    return MeetingCycle(
        rule=board.meeting_rule,
        start=board.meeting_start or board.created_at.date(),
        time=board.meeting_time,
        tz=board.timezone,
        added=frozenset(d for d, kind in changes if kind == "added"),
        cancelled=frozenset(d for d, kind in changes if kind == "cancelled"),
    )
