"""Use cases behind the `/plan` lines that plans.py does not cover: meeting cycles and one-off
meetings, reminder settings and pauses, roles given by Slack user, import and export.

Like every use case, each takes a unit of work, the actor and plain values, checks permission
itself, audits configuration changes, and leaves committing to the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select

from bot.core.calendar import local_date
from bot.core.dates import format_uk_date
from bot.core.errors import Conflict, NotFound, UserError
from bot.core.exporter import export_csv, export_markdown, export_xlsx
from bot.core.filenames import plan_export_filename
from bot.core.importer import ParsedPlan
from bot.core.meetings import MeetingCycle, parse_meeting_rule
from bot.core.permissions import Permission, Role, check
from bot.core.reminder_policy import ReminderPolicy, overrides_json, policy_from_overrides
from bot.services.linking import SlackProfile
from bot.services.plan_import import BoardDefaults, ImportSummary, import_plan
from bot.services.plans import (
    Actor,
    audit,
    find_plan,
    grant_role,
    person_for_slack_user,
    revoke_role,
    standing,
)
from bot.services.queries import board_cycle
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.models import Board, MeetingChange, Person, Plan

ExportFormat = Literal["xlsx", "csv", "md"]
NEXT_MEETINGS = 3
ADDED = "added"
CANCELLED = "cancelled"


# ---------------------------------------------------------------- people by Slack user


def person_for_profile(uow: UnitOfWork, actor: Actor, profile: SlackProfile) -> Person:
    """The person a Slack user is in this workspace, made (or linked by name) if new."""
    return person_for_slack_user(
        uow,
        actor.workspace_id,
        profile.user_id,
        name=profile.name or profile.display_name,
        title=profile.title,
        email=profile.email,
        timezone=profile.timezone,
    )


def known_slack_users(uow: UnitOfWork, workspace_id: int, user_ids: list[str]) -> set[str]:
    """Which of these Slack users the bot already knows (so their profile need not be fetched)."""
    if not user_ids:
        return set()
    return set(
        uow.session.scalars(
            select(Person.slack_user_id).where(
                Person.workspace_id == workspace_id, Person.slack_user_id.in_(user_ids)
            )
        )
    )


def _existing_person(uow: UnitOfWork, actor: Actor, user_id: str) -> Person | None:
    return uow.session.scalar(
        select(Person).where(
            Person.workspace_id == actor.workspace_id, Person.slack_user_id == user_id
        )
    )


@dataclass(frozen=True)
class RoleChange:
    person: str
    role: Role
    changed: bool  # False: they already had it (add) or did not have it (remove)
    board: str | None = None


def add_admin(uow: UnitOfWork, actor: Actor, profile: SlackProfile, now: dt.datetime) -> RoleChange:
    check(Permission.CONFIGURE, standing(uow, actor))
    person = person_for_profile(uow, actor, profile)
    granted = grant_role(uow, actor, person.id, Role.ADMIN, now)
    return RoleChange(person.name, Role.ADMIN, granted)


def remove_admin(
    uow: UnitOfWork, actor: Actor, profile: SlackProfile, now: dt.datetime
) -> RoleChange:
    check(Permission.CONFIGURE, standing(uow, actor))
    person = _existing_person(uow, actor, profile.user_id)
    if person is None:
        return RoleChange(profile.name or profile.user_id, Role.ADMIN, False)
    revoked = revoke_role(uow, actor, person.id, Role.ADMIN, now)
    return RoleChange(person.name, Role.ADMIN, revoked)


def add_member(
    uow: UnitOfWork, actor: Actor, board: Board, profile: SlackProfile, now: dt.datetime
) -> RoleChange:
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    person = person_for_profile(uow, actor, profile)
    granted = grant_role(uow, actor, person.id, Role.MEMBER, now, board_id=board.id)
    return RoleChange(person.name, Role.MEMBER, granted, board.name)


def remove_member(
    uow: UnitOfWork, actor: Actor, board: Board, profile: SlackProfile, now: dt.datetime
) -> RoleChange:
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    person = _existing_person(uow, actor, profile.user_id)
    if person is None:
        return RoleChange(profile.name or profile.user_id, Role.MEMBER, False, board.name)
    revoked = revoke_role(uow, actor, person.id, Role.MEMBER, now, board_id=board.id)
    return RoleChange(person.name, Role.MEMBER, revoked, board.name)


# ---------------------------------------------------------------- meetings


@dataclass(frozen=True)
class MeetingsView:
    """A board's meeting cycle in words, and its next meetings from today (board-local)."""

    board: str
    description: str
    next_meetings: tuple[dt.date, ...]
    time: dt.time
    changed: dt.date | None = None  # the one-off date just added or cancelled


def board_today(board: Board, now: dt.datetime) -> dt.date:
    return local_date(now, board.timezone)


def meetings_view(board: Board, now: dt.datetime, changed: dt.date | None = None) -> MeetingsView:
    cycle = _cycle(board)
    upcoming: list[dt.date] = []
    day: dt.date | None = board_today(board, now)
    while day is not None and len(upcoming) < NEXT_MEETINGS:
        day = cycle.next_meeting(day)
        if day is not None:
            upcoming.append(day)
            day += dt.timedelta(days=1)
    return MeetingsView(board.name, cycle.describe(), tuple(upcoming), board.meeting_time, changed)


def set_meetings(
    uow: UnitOfWork,
    actor: Actor,
    board: Board,
    rule_text: str,
    now: dt.datetime,
    *,
    time: dt.time | None = None,
) -> MeetingsView:
    """Set the board's cycle from an RRULE or words; `time` sets when its meetings start."""
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    rule, start = parse_meeting_rule(rule_text, board_today(board, now))
    before = _meeting_settings(board)
    board.meeting_rule = rule
    board.meeting_start = start
    if time is not None:
        board.meeting_time = time
    audit(uow, actor, now, "board.meetings", "board", board.id, before, _meeting_settings(board))
    return meetings_view(board, now)


def add_meeting(
    uow: UnitOfWork,
    actor: Actor,
    board: Board,
    day: dt.date,
    now: dt.datetime,
    *,
    time: dt.time | None = None,
) -> MeetingsView:
    """A one-off meeting; adding back a cancelled meeting of the cycle restores it."""
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    _not_past(board, day, now, "add")
    if time is not None and time != board.meeting_time:
        raise UserError(
            f"{board.name}'s meetings start at {board.meeting_time:%H:%M}, and a one-off meeting "
            f"does too: leave the time out, or change it for all with "
            f"`/plan board meetings <rule> at {time:%H:%M}`."
        )
    change = _change_on(board, day)
    shown = format_uk_date(day)
    if change is not None and change.kind == ADDED:
        raise Conflict(f"{board.name} already has a meeting on {shown}.")
    if change is not None:
        board.meeting_changes.remove(change)
    elif _cycle_meets(board, day):
        raise Conflict(f"{shown} is already a meeting in {board.name}'s cycle.")
    else:
        board.meeting_changes.append(MeetingChange(date=day, kind=ADDED))
    uow.session.flush()
    audit(uow, actor, now, "board.meeting_add", "board", board.id, None, {"date": day.isoformat()})
    return meetings_view(board, now, changed=day)


def cancel_meeting(
    uow: UnitOfWork, actor: Actor, board: Board, day: dt.date, now: dt.datetime
) -> MeetingsView:
    """Cancel one meeting: a one-off is removed, a meeting of the cycle is skipped."""
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    _not_past(board, day, now, "cancel")
    change = _change_on(board, day)
    shown = format_uk_date(day)
    if change is not None and change.kind == CANCELLED:
        raise Conflict(f"The meeting on {shown} is already cancelled.")
    if change is not None:
        board.meeting_changes.remove(change)
    elif _cycle_meets(board, day):
        board.meeting_changes.append(MeetingChange(date=day, kind=CANCELLED))
    else:
        upcoming = meetings_view(board, now).next_meetings
        hint = (
            "Next meetings: " + ", ".join(format_uk_date(d) for d in upcoming) + "."
            if upcoming
            else "It has no meetings set: `/plan board meetings second Tuesday monthly`."
        )
        raise NotFound(f"{board.name} has no meeting on {shown}. {hint}")
    uow.session.flush()
    audit(
        uow, actor, now, "board.meeting_cancel", "board", board.id, {"date": day.isoformat()}, None
    )
    return meetings_view(board, now, changed=day)


def _cycle(board: Board) -> MeetingCycle:
    return board_cycle(board)


def _cycle_meets(board: Board, day: dt.date) -> bool:
    """Whether the regular cycle (ignoring one-off changes) has a meeting on that day."""
    if board.meeting_rule is None:
        return False
    plain = board_cycle(board, [])
    return bool(plain.occurrences(day, day))


def _change_on(board: Board, day: dt.date) -> MeetingChange | None:
    return next((c for c in board.meeting_changes if c.date == day), None)


def _not_past(board: Board, day: dt.date, now: dt.datetime, verb: str) -> None:
    if day < board_today(board, now):
        raise UserError(f"{format_uk_date(day)} has passed; {verb} a meeting from today on.")


def _meeting_settings(board: Board) -> dict[str, Any]:
    return {
        "rule": board.meeting_rule,
        "start": board.meeting_start.isoformat() if board.meeting_start else None,
        "time": board.meeting_time.strftime("%H:%M") if board.meeting_time else None,
    }


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class RemindersView:
    board: str
    policy: ReminderPolicy
    paused_until: dt.date | None  # only while the pause lasts
    changed: tuple[str, ...] = ()


def reminders_view(board: Board, now: dt.datetime, changed: tuple[str, ...] = ()) -> RemindersView:
    paused = board.paused_until
    if paused is not None and paused < board_today(board, now):
        paused = None
    return RemindersView(board.name, policy_from_overrides(board.reminder_policy), paused, changed)


def set_reminders(
    uow: UnitOfWork, actor: Actor, board: Board, changes: dict[str, Any], now: dt.datetime
) -> RemindersView:
    """Override reminder settings (working days); the rest keep their current values."""
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    if not changes:
        raise UserError(
            "Say which reminders to change: `/plan board reminders due=10,3,0 overdue=5`."
        )
    before = dict(board.reminder_policy or {})
    board.reminder_policy = overrides_json({**before, **changes})
    audit(uow, actor, now, "board.reminders", "board", board.id, before, board.reminder_policy)
    return reminders_view(board, now, tuple(changes))


def pause_reminders(
    uow: UnitOfWork, actor: Actor, board: Board, until: dt.date, now: dt.datetime
) -> RemindersView:
    """No reminders, digests or packs for the board up to and including `until`."""
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    if until < board_today(board, now):
        raise UserError(
            f"{format_uk_date(until)} has passed; pause until a date from today on, "
            "e.g. `/plan board reminders pause until 31/08/2019`."
        )
    before = board.paused_until
    board.paused_until = until
    audit(
        uow,
        actor,
        now,
        "board.pause",
        "board",
        board.id,
        {"paused_until": before.isoformat() if before else None},
        {"paused_until": until.isoformat()},
    )
    return reminders_view(board, now)


def resume_reminders(
    uow: UnitOfWork, actor: Actor, board: Board, now: dt.datetime
) -> RemindersView:
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    before = board.paused_until
    if before is None or before < board_today(board, now):
        raise Conflict(f"Reminders for {board.name} aren't paused.")
    board.paused_until = None
    audit(
        uow,
        actor,
        now,
        "board.resume",
        "board",
        board.id,
        {"paused_until": before.isoformat()},
        {"paused_until": None},
    )
    return reminders_view(board, now)


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportChoices:
    """What the import form offers: the boards, and the active plan it would update."""

    boards: tuple[tuple[int, str], ...]
    active_plans: tuple[tuple[str, str], ...]  # (plan title, board name)


@dataclass(frozen=True)
class ImportResult:
    summary: ImportSummary
    plan_id: int


def import_choices(uow: UnitOfWork, actor: Actor) -> ImportChoices:
    check(Permission.CONFIGURE, standing(uow, actor))
    boards = uow.session.execute(
        select(Board.id, Board.name)
        .where(Board.workspace_id == actor.workspace_id)
        .order_by(Board.id)
    ).all()
    plans = uow.session.execute(
        select(Plan.title, Board.name)
        .join(Board, Board.id == Plan.board_id)
        .where(Board.workspace_id == actor.workspace_id, Plan.active.is_(True))
        .order_by(Plan.id)
    ).all()
    return ImportChoices(
        tuple((board_id, name) for board_id, name in boards),
        tuple((title, name) for title, name in plans),
    )


def import_sheet(
    uow: UnitOfWork,
    actor: Actor,
    parsed: ParsedPlan,
    now: dt.datetime,
    *,
    filename: str,
    board_id: int | None = None,
    plan_title: str | None = None,
    new_board: BoardDefaults | None = None,
) -> ImportResult:
    """Import a read sheet into the board chosen (or the only one) and the plan named (or the
    board's active plan, or a new one named from the sheet's title block or the file)."""
    check(Permission.CONFIGURE, standing(uow, actor))
    board_name = None
    if board_id is not None:
        board = uow.session.get(Board, board_id)
        if board is None or board.workspace_id != actor.workspace_id:
            raise NotFound("That board no longer exists. Run `/plan import` again.")
        board_name = board.name
    summary = import_plan(
        uow,
        actor,
        parsed,
        now,
        filename=filename,
        board_name=board_name,
        plan_title=(plan_title or "").strip() or None,
        new_board=new_board,
    )
    plan_id = uow.session.scalar(
        select(Plan.id)
        .join(Board, Board.id == Plan.board_id)
        .where(
            Board.workspace_id == actor.workspace_id,
            Board.name == summary.board,
            Plan.title == summary.plan,
        )
    )
    assert plan_id is not None  # import_plan has just written it
    return ImportResult(summary, plan_id)


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportedPlan:
    plan: str
    filename: str
    content: bytes
    format: ExportFormat
    exported_on: dt.date  # board-local
    themes: int
    actions: int


def export_plan(
    uow: UnitOfWork, actor: Actor, title: str | None, fmt: ExportFormat, now: dt.datetime
) -> ExportedPlan:
    """The plan (the only active one unless named) as a file in the DESIGN §1 shape."""
    plan = find_plan(uow, actor.workspace_id, title)
    check(Permission.READ, standing(uow, actor, plan.board_id))
    snapshot = plan_snapshots(uow, actor.workspace_id, [plan.id])[0]
    if fmt == "xlsx":
        content = export_xlsx(snapshot)
    elif fmt == "csv":
        content = export_csv(snapshot)
    else:
        content = export_markdown(snapshot).encode("utf-8")
    day = local_date(now, plan.board.timezone)
    themes = snapshot["themes"]
    return ExportedPlan(
        plan=plan.title,
        filename=plan_export_filename(plan.title, day, fmt),
        content=content,
        format=fmt,
        exported_on=day,
        themes=len(themes),
        actions=sum(len(t["actions"]) for t in themes),
    )
