"""Boards to plan again: any edit that may change what a board sends sets its next planning
moment (`Board.next_plan_at`) back to NULL, "plan it at the next tick", in the edit's own
transaction.

One place does it for every use case: after each flush the session notes which boards the
flushed rows belong to — a board's own settings (time zone, region, reminder policy, pause,
meeting rule, chair, channel), its one-off meetings, its plans, themes (their leads), actions
(due date, completion, removal), owners, deadlines, role grants, and absences (every board
of the absent person's workspace) — and just before the commit one UPDATE resets them. A
progress update that only changes an amber to a green, or adds a note, does not: it can take
a reminder away but never add one.

Statements that bypass the ORM (bulk UPDATEs) are not seen here; the few that touch these
tables (merging a duplicate person) delete an ORM row that is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, event, inspect, or_, select, update
from sqlalchemy.orm import Session

from db.models import (
    Absence,
    Action,
    ActionAssignment,
    Board,
    MeetingChange,
    Person,
    Plan,
    RoleGrant,
    StatutoryDeadline,
    Theme,
)

_MARKS = "replan.marks"
DONE = "blue"
# Action columns whose change can change what a board sends.
_ACTION_COLUMNS = ("plan_id", "theme_id", "due_date", "removed_at")


@dataclass
class Marks:
    """What the flushed rows belong to, by the cheapest key each row carries."""

    boards: set[int] = field(default_factory=set)
    plans: set[int] = field(default_factory=set)
    actions: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)  # every board of their workspace
    workspaces: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.boards or self.plans or self.actions or self.people or self.workspaces)


def _values(instance: Any, key: str) -> set[Any]:
    """The attribute's value now and, if this flush changed it, before."""
    history = inspect(instance).attrs[key].history
    found = {*history.added, *history.deleted, *history.unchanged}
    if not found:
        found = {getattr(instance, key, None)}
    return {v for v in found if v is not None}


def _changed(instance: Any, keys: tuple[str, ...]) -> bool:
    state = inspect(instance)
    return any(state.attrs[key].history.has_changes() for key in keys)


def _note(marks: Marks, instance: Any, *, new_or_gone: bool) -> None:
    match instance:
        case Board():
            changed = [
                a.key
                for a in inspect(instance).attrs
                if a.key != "next_plan_at" and a.history.has_changes()
            ]
            if changed and not new_or_gone:
                marks.boards.add(instance.id)
        case MeetingChange():
            marks.boards |= _values(instance, "board_id")
        case Plan():
            marks.boards |= _values(instance, "board_id")
        case Theme() | StatutoryDeadline():
            marks.plans |= _values(instance, "plan_id")
        case Action():
            if new_or_gone or _changed(instance, _ACTION_COLUMNS):
                marks.plans |= _values(instance, "plan_id")
            elif _changed(instance, ("status",)) and DONE in _values(instance, "status"):
                marks.plans |= _values(instance, "plan_id")  # completed, or reopened
        case ActionAssignment():
            marks.actions |= _values(instance, "action_id")
        case RoleGrant():
            marks.workspaces |= _values(instance, "workspace_id")
        case Absence():
            marks.people |= _values(instance, "person_id")
        case Person() if new_or_gone:  # a duplicate merged away: its rows moved in bulk
            marks.workspaces |= _values(instance, "workspace_id")


def _after_flush(session: Session, _context: Any) -> None:
    marks: Marks = session.info.setdefault(_MARKS, Marks())
    for instance in session.new:
        _note(marks, instance, new_or_gone=True)
    for instance in session.deleted:
        _note(marks, instance, new_or_gone=True)
    for instance in session.dirty:
        if session.is_modified(instance, include_collections=False):
            _note(marks, instance, new_or_gone=False)


def _before_commit(session: Session) -> None:
    """Runs before the commit's own flush, so it flushes first to see every change."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    marks: Marks | None = session.info.pop(_MARKS, None)
    if marks:
        mark_to_replan(session, marks)


def mark_to_replan(session: Session, marks: Marks) -> None:
    """One UPDATE: every board `marks` names is planned at the next tick."""
    table = cast(Table, Board.__table__)
    board = table.c
    which = []
    if marks.boards:
        which.append(board.id.in_(sorted(marks.boards)))
    if marks.plans:
        which.append(board.id.in_(select(Plan.board_id).where(Plan.id.in_(sorted(marks.plans)))))
    if marks.actions:
        which.append(
            board.id.in_(
                select(Plan.board_id)
                .join(Action, Action.plan_id == Plan.id)
                .where(Action.id.in_(sorted(marks.actions)))
            )
        )
    if marks.people:
        which.append(
            board.workspace_id.in_(
                select(Person.workspace_id).where(Person.id.in_(sorted(marks.people)))
            )
        )
    if marks.workspaces:
        which.append(board.workspace_id.in_(sorted(marks.workspaces)))
    session.execute(
        update(table).where(board.next_plan_at.is_not(None), or_(*which)).values(next_plan_at=None)
    )


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "before_commit", _before_commit)
