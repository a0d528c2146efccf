"""The pre-meeting pack as a committee paper: the pack, plus what a paper lists that a Slack
post leaves out — every action with its latest update and slips, the date changes decided
since the previous meeting, who the report is of, and the board's escalation threshold.

`build_paper` is `build_pack` and three more set-based queries, whatever the size of the plan.
Only the board's active plans count, and removed actions never do; updates and decisions
after `now` are ignored, as in the pack.

- *slips*: how many times the action's due date has been changed (approved requests, admin
  edits and re-imports all count; the action's `date_changes`).
- *latest update*: the newest update at or before `now` that has a note.
- *escalated*: overdue by the board's `escalate` policy (10 working days by default) or more.
- *report of*: the board's chair; with no chair, the workspace's first admin.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from bot.core.calendar import local_date
from bot.core.errors import UserError
from bot.core.reminder_policy import policy_from_overrides
from bot.services.digest import Pack, Who, build_pack, meeting_cycle, pack_json
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
    RoleGrant,
    Theme,
)


@dataclass(frozen=True)
class LatestNote:
    at: dt.datetime
    note: str


@dataclass(frozen=True)
class ActionLine:
    ref: str
    title: str
    owners: tuple[Who, ...]
    due: dt.date | None
    due_precision: str
    status: str
    latest: LatestNote | None
    slips: int


@dataclass(frozen=True)
class ThemeActions:
    plan: str
    ref: str
    title: str
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class DecidedDateChange:
    """A date change the chair approved or declined since the previous meeting."""

    ref: str
    title: str
    old_due: dt.date | None
    new_due: dt.date
    new_precision: str
    reason: str
    requested_by: str | None
    approved: bool
    decided_by: str | None
    decided_at: dt.datetime
    note: str | None


@dataclass(frozen=True)
class ReportOf:
    name: str
    role: str  # "Chair" or "Administrator"


@dataclass(frozen=True)
class BoardPaper:
    pack: Pack
    themes: tuple[ThemeActions, ...]  # in the order of pack.digest.themes
    decided_date_changes: tuple[DecidedDateChange, ...]
    report_of: ReportOf | None
    escalate_after: int  # working days overdue


def build_paper(uow: UnitOfWork, board_id: int, meeting: dt.date, now: dt.datetime) -> BoardPaper:
    """The committee paper for the board's meeting on `meeting`, as things stand at `now`."""
    pack = build_pack(uow, board_id, meeting, now)
    board = uow.session.get(Board, board_id)
    assert board is not None  # build_pack has found it
    connection = uow.session.connection()
    in_board = and_(Plan.board_id == board.id, Plan.active.is_(True), Action.removed_at.is_(None))

    latest_with_note = (
        select(ProgressUpdate.id)
        .where(
            ProgressUpdate.action_id == Action.id,
            ProgressUpdate.at <= now,
            ProgressUpdate.note.is_not(None),
            ProgressUpdate.note != "",
        )
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    owner = aliased(Person)
    rows = connection.execute(
        select(
            Plan.title,
            Theme.ref,
            Theme.title,
            Action.id,
            Action.ref,
            Action.title,
            Action.due_date,
            Action.due_precision,
            Action.status,
            Action.date_changes,
            ProgressUpdate.at,
            ProgressUpdate.note,
        )
        .join(Plan, Plan.id == Action.plan_id)
        .join(Theme, Theme.id == Action.theme_id)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == latest_with_note)
        .where(in_board)
        .order_by(Plan.id, Theme.position, Theme.id, Action.position, Action.id)
    ).all()
    owner_rows = connection.execute(
        select(ActionAssignment.action_id, owner.name, owner.slack_user_id)
        .join(owner, owner.id == ActionAssignment.person_id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(in_board, ActionAssignment.role == "owner")
        .order_by(ActionAssignment.action_id, ActionAssignment.position, owner.id)
    ).all()
    owners: dict[int, list[Who]] = defaultdict(list)
    for action_id, name, slack_user_id in owner_rows:
        owners[action_id].append(Who(name, slack_user_id))

    by_theme: dict[tuple[str, str], list[ActionLine]] = defaultdict(list)
    for row in rows:
        plan_title, theme_ref, _, action_id, ref, title, due, precision, status, slips = row[:10]
        at, note = row[10], row[11]
        by_theme[(plan_title, theme_ref)].append(
            ActionLine(
                ref=ref,
                title=title,
                owners=tuple(owners.get(action_id, ())),
                due=due,
                due_precision=precision,
                status=status,
                latest=LatestNote(at, note) if at is not None and note else None,
                slips=slips or 0,
            )
        )
    themes = tuple(
        ThemeActions(t.plan, t.ref, t.title, tuple(by_theme.get((t.plan, t.ref), ())))
        for t in pack.digest.themes
    )
    return BoardPaper(
        pack=pack,
        themes=themes,
        decided_date_changes=_decided(uow, board, pack.updates_since, now),
        report_of=_report_of(uow, board),
        escalate_after=policy_from_overrides(board.reminder_policy).escalate,
    )


def active_plan_ids(uow: UnitOfWork, board_id: int) -> list[int]:
    return list(
        uow.session.scalars(
            select(Plan.id)
            .where(Plan.board_id == board_id, Plan.active.is_(True))
            .order_by(Plan.id)
        )
    )


def next_meeting(uow: UnitOfWork, board: Board, now: dt.datetime) -> dt.date:
    """The board's next meeting (today's, on a meeting day); UserError when none is set."""
    changes = uow.session.execute(
        select(MeetingChange.date, MeetingChange.kind).where(MeetingChange.board_id == board.id)
    ).all()
    cycle = meeting_cycle(board, [(d, kind) for d, kind in changes])
    meeting = cycle.next_meeting(local_date(now, board.timezone))
    if meeting is None:
        raise UserError(
            f"“{board.name}” has no meeting coming up. Give the meeting's date with "
            "--meeting DATE, or set the board's cycle with `/plan board meetings`."
        )
    return meeting


def _decided(
    uow: UnitOfWork, board: Board, since: dt.datetime, now: dt.datetime
) -> tuple[DecidedDateChange, ...]:
    requester = aliased(Person)
    decider = aliased(Person)
    request = DateChangeRequest
    rows = uow.session.execute(
        select(
            Action.ref,
            Action.title,
            request.old_due_date,
            request.new_due_date,
            request.new_due_precision,
            request.reason,
            requester.name,
            request.state,
            decider.name,
            request.decided_at,
            request.decision_note,
        )
        .join(Action, Action.id == request.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(requester, requester.id == request.requested_by_id)
        .outerjoin(decider, decider.id == request.decided_by_id)
        .where(
            Plan.board_id == board.id,
            Plan.active.is_(True),
            Action.removed_at.is_(None),
            request.state.in_(("approved", "declined")),
            request.decided_at > since,
            request.decided_at <= now,
        )
        .order_by(request.decided_at, request.id)
    ).all()
    return tuple(
        DecidedDateChange(
            ref=ref,
            title=title,
            old_due=old,
            new_due=new,
            new_precision=precision,
            reason=reason,
            requested_by=by,
            approved=state == "approved",
            decided_by=decider_name,
            decided_at=decided_at,
            note=note,
        )
        for ref, title, old, new, precision, reason, by, state, decider_name, decided_at, note in (
            rows
        )
    )


def _report_of(uow: UnitOfWork, board: Board) -> ReportOf | None:
    if board.chair_id is not None:
        chair = uow.session.get(Person, board.chair_id)
        if chair is not None:
            return ReportOf(chair.name, "Chair")
    admin = uow.session.scalar(
        select(Person.name)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.workspace_id == board.workspace_id, RoleGrant.role == "admin")
        .order_by(RoleGrant.id)
        .limit(1)
    )
    return ReportOf(admin, "Administrator") if admin else None


# ---------------------------------------------------------------- JSON


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def paper_json(paper: BoardPaper) -> dict[str, Any]:
    """`pack_json` of the pack with the paper's keys added: `report_of`,
    `escalate_after_working_days`, `actions` per theme and `decided_date_changes`."""
    data = pack_json(paper.pack)
    data["report_of"] = (
        {"name": paper.report_of.name, "role": paper.report_of.role} if paper.report_of else None
    )
    data["escalate_after_working_days"] = paper.escalate_after
    for theme_json, theme in zip(data["digest"]["themes"], paper.themes, strict=True):
        theme_json["action_list"] = [
            {
                "ref": a.ref,
                "title": a.title,
                "owners": [{"name": w.name, "slack_user": w.slack_user_id} for w in a.owners],
                "due": _day(a.due),
                "due_precision": a.due_precision,
                "status": a.status,
                "latest_update": (
                    {"at": _iso(a.latest.at), "note": a.latest.note} if a.latest else None
                ),
                "slips": a.slips,
            }
            for a in theme.actions
        ]
    data["decided_date_changes"] = [
        {
            "ref": c.ref,
            "title": c.title,
            "from": _day(c.old_due),
            "to": _day(c.new_due),
            "precision": c.new_precision,
            "reason": c.reason,
            "requested_by": c.requested_by,
            "decision": "approved" if c.approved else "declined",
            "decided_by": c.decided_by,
            "decided_at": _iso(c.decided_at),
            "note": c.note,
        }
        for c in paper.decided_date_changes
    ]
    return data
