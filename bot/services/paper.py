"""The pre-meeting pack as a committee paper: the pack, plus what a paper lists that a Slack
post leaves out — every action with its latest update and slips, the date changes decided
since the previous meeting, who the report is of, and the board's escalation threshold.

`build_paper` is `build_pack` and four more set-based queries, whatever the size of the plan.
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

from sqlalchemy import select

from bot.core.board_status import ActionRow
from bot.core.calendar import local_date
from bot.core.digest import DateChangeRow, Pack
from bot.core.errors import UserError
from bot.core.reminder_policy import policy_from_overrides
from bot.services.digest import build_pack, change_json, pack_json
from bot.services.queries import action_rows, board_cycle, date_change_rows
from bot.services.snapshot import iso_day, iso_utc
from bot.services.uow import UnitOfWork
from db.models import Board, Person, Plan, RoleGrant


@dataclass(frozen=True)
class ThemeActions:
    plan: str
    ref: str
    title: str
    actions: tuple[ActionRow, ...]  # `latest` is the newest update that has a note


@dataclass(frozen=True)
class ReportOf:
    name: str
    role: str  # "Chair" or "Administrator"


@dataclass(frozen=True)
class BoardPaper:
    pack: Pack
    themes: tuple[ThemeActions, ...]  # in the order of pack.digest.themes
    decided_date_changes: tuple[DateChangeRow, ...]
    report_of: ReportOf | None
    escalate_after: int  # working days overdue


def build_paper(uow: UnitOfWork, board_id: int, meeting: dt.date, now: dt.datetime) -> BoardPaper:
    """The committee paper for the board's meeting on `meeting`, as things stand at `now`."""
    pack = build_pack(uow, board_id, meeting, now)
    board = uow.session.get(Board, board_id)
    assert board is not None  # build_pack has found it
    by_theme: dict[tuple[str, str], list[ActionRow]] = defaultdict(list)
    for row in action_rows(uow.session, now, board_ids=[board.id], latest_with_note=True):
        by_theme[(row.plan, row.theme_ref)].append(row)
    themes = tuple(
        ThemeActions(t.plan, t.ref, t.title, tuple(by_theme.get((t.plan, t.ref), ())))
        for t in pack.digest.themes
    )
    decided = date_change_rows(
        uow.session,
        board.id,
        decided=("approved", "declined"),
        decided_after=pack.updates_since,
        until=now,
    )
    return BoardPaper(
        pack=pack,
        themes=themes,
        decided_date_changes=tuple(sorted(decided, key=lambda r: (r.decided_at, r.id))),
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
    meeting = board_cycle(board).next_meeting(local_date(now, board.timezone))
    if meeting is None:
        raise UserError(
            f"“{board.name}” has no meeting coming up. Give the meeting's date with "
            "--meeting DATE, or set the board's cycle with `/plan board meetings`."
        )
    return meeting


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
                "due": iso_day(a.due),
                "due_precision": a.due_precision,
                "status": a.status,
                "latest_update": (
                    {"at": iso_utc(a.latest.at), "note": a.latest.note} if a.latest else None
                ),
                "slips": a.slips,
            }
            for a in theme.actions
        ]
    data["decided_date_changes"] = [
        change_json(
            c,
            requested_by=c.requested_by.name if c.requested_by else None,
            decision="approved" if c.approved else "declined",
            decided_by=c.decided_by,
            decided_at=iso_utc(c.decided_at),
            note=c.note,
        )
        for c in paper.decided_date_changes
    ]
    return data
