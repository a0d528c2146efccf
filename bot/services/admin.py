"""The `/plan` use cases: `PlanService`, and the building blocks plans.py does not cover —
meeting cycles and one-off meetings, reminder settings and pauses, roles given by Slack user,
import and export.

Each building block takes a unit of work, the actor and plain values, checks permission
itself, audits configuration changes, and leaves committing to its caller; `PlanService`
runs each use case in a unit of work of its own and returns plain read models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import select

from bot.core.calendar import local_date
from bot.core.dates import format_day
from bot.core.errors import Conflict, NotFound, UserError
from bot.core.exporter import export_csv, export_markdown, export_xlsx
from bot.core.filenames import plan_export_filename
from bot.core.importer import ParsedPlan, read_plan
from bot.core.meetings import MeetingCycle, parse_meeting_rule
from bot.core.permissions import Permission, Role, check
from bot.core.reminder_policy import ReminderPolicy, overrides_json, policy_from_overrides
from bot.services.linking import (
    Directory,
    LinkingOutcome,
    PeopleService,
    SlackProfile,
    profile_person,
)
from bot.services.plan_import import BoardDefaults, ImportSummary, import_plan
from bot.services.plans import (
    Actor,
    BoardSummary,
    add_action,
    add_delegate,
    add_theme,
    archive_plan,
    audit,
    create_board,
    create_plan,
    edit_action,
    edit_theme,
    find_action,
    find_board,
    find_plan,
    find_theme,
    grant_role,
    list_plans,
    move_action,
    remove_action,
    remove_theme,
    revoke_role,
    set_board_chair,
    set_board_channel,
    set_owners,
    setup_first_admin,
    standing,
)
from bot.services.queries import board_cycle
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.models import Action, Board, MeetingChange, Person, Plan

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Units

T = TypeVar("T")

ExportFormat = Literal["xlsx", "csv", "md"]
NEXT_MEETINGS = 3
ADDED = "added"
CANCELLED = "cancelled"


# ---------------------------------------------------------------- people by Slack user


def person_for_profile(uow: UnitOfWork, actor: Actor, profile: SlackProfile) -> Person:
    """The person a Slack user is in this workspace, made (or linked by name) if new."""
    return profile_person(uow, actor.workspace_id, profile, profile.name or profile.display_name)


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
    shown = format_day(day)
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
    shown = format_day(day)
    if change is not None and change.kind == CANCELLED:
        raise Conflict(f"The meeting on {shown} is already cancelled.")
    if change is not None:
        board.meeting_changes.remove(change)
    elif _cycle_meets(board, day):
        board.meeting_changes.append(MeetingChange(date=day, kind=CANCELLED))
    else:
        upcoming = meetings_view(board, now).next_meetings
        hint = (
            "Next meetings: " + ", ".join(format_day(d) for d in upcoming) + "."
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
        raise UserError(f"{format_day(day)} has passed; {verb} a meeting from today on.")


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
            f"{format_day(until)} has passed; pause until a date from today on, "
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
    snapshot = plan_snapshots(uow, actor.workspace_id, [plan.id], now)[0]
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


# ---------------------------------------------------------------- the /plan use cases


@dataclass(frozen=True)
class PlanChange:
    """What a `/plan` change touched, in the words its answer needs."""

    ref: str = ""
    title: str = ""
    board: str = ""
    changes: tuple[tuple[str, Any, Any], ...] = ()  # (field, before, after)
    before: str = ""  # the theme an action moved from
    theme_ref: str = ""
    theme_title: str = ""
    done: bool = True  # False: nothing to do (the delegate was already there)

    @property
    def changed(self) -> dict[str, tuple[Any, Any]]:
        return {name: (old, new) for name, old, new in self.changes}


def _change_list(changes: dict[str, tuple[Any, Any]]) -> tuple[tuple[str, Any, Any], ...]:
    return tuple((name, old, new) for name, (old, new) in changes.items())


class PlanService:
    """What admins do to boards, plans, themes, actions and roles (DESIGN §4 `/plan`).

    Each method is one use case in its own unit of work: plain values in (the actor, `now`,
    names, refs, text, Slack profiles as `SlackProfile`), a plain read model out.
    """

    def __init__(self, units: Units, settings: Settings) -> None:
        self.units = units
        self.settings = settings

    # ------------------------------------------------------------ transactions

    def _on_board(
        self, actor: Actor, board: str | None, work: Callable[[UnitOfWork, Board], T]
    ) -> T:
        return self.units.committed(
            lambda uow: work(uow, find_board(uow, actor.workspace_id, board))
        )

    def _on_plan(self, actor: Actor, plan: str | None, work: Callable[[UnitOfWork, Plan], T]) -> T:
        return self.units.committed(lambda uow: work(uow, find_plan(uow, actor.workspace_id, plan)))

    def _on_action(
        self,
        actor: Actor,
        plan: str | None,
        ref: str,
        work: Callable[[UnitOfWork, Action], T],
    ) -> T:
        return self._on_plan(
            actor, plan, lambda uow, found: work(uow, find_action(uow, found, ref))
        )

    @staticmethod
    def _person_id(uow: UnitOfWork, actor: Actor, profile: SlackProfile | None) -> int | None:
        return person_for_profile(uow, actor, profile).id if profile is not None else None

    # ------------------------------------------------------------ setup and boards

    def setup(self, actor: Actor, now: dt.datetime) -> None:
        self.units.committed(lambda uow: setup_first_admin(uow, actor, now))

    def create_board(
        self,
        actor: Actor,
        name: str,
        now: dt.datetime,
        *,
        chair: SlackProfile | None = None,
        channel_id: str | None = None,
    ) -> PlanChange:
        def work(uow: UnitOfWork) -> PlanChange:
            board = create_board(
                uow,
                actor,
                name,
                now,
                chair_id=self._person_id(uow, actor, chair),
                channel_id=channel_id,
                timezone=self.settings.timezone,
                region=self.settings.region,
            )
            return PlanChange(board=board.name)

        return self.units.committed(work)

    def edit_board(
        self,
        actor: Actor,
        board: str | None,
        now: dt.datetime,
        *,
        chair: SlackProfile | None = None,
        channel_id: str | None = None,
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Board) -> PlanChange:
            if chair is not None:
                chair_id = person_for_profile(uow, actor, chair).id
                set_board_chair(uow, actor, found, chair_id, now)
            if channel_id:
                set_board_channel(uow, actor, found, channel_id, now)
            return PlanChange(board=found.name)

        return self._on_board(actor, board, work)

    def set_meetings(
        self, actor: Actor, board: str | None, rule: str, now: dt.datetime, time: dt.time | None
    ) -> MeetingsView:
        return self._on_board(
            actor, board, lambda uow, b: set_meetings(uow, actor, b, rule, now, time=time)
        )

    def add_meeting(
        self, actor: Actor, board: str | None, day: dt.date, now: dt.datetime, time: dt.time | None
    ) -> MeetingsView:
        return self._on_board(
            actor, board, lambda uow, b: add_meeting(uow, actor, b, day, now, time=time)
        )

    def cancel_meeting(
        self, actor: Actor, board: str | None, day: dt.date, now: dt.datetime
    ) -> MeetingsView:
        return self._on_board(actor, board, lambda uow, b: cancel_meeting(uow, actor, b, day, now))

    def set_reminders(
        self, actor: Actor, board: str | None, changes: dict[str, Any], now: dt.datetime
    ) -> RemindersView:
        return self._on_board(
            actor, board, lambda uow, b: set_reminders(uow, actor, b, changes, now)
        )

    def pause_reminders(
        self, actor: Actor, board: str | None, until: dt.date, now: dt.datetime
    ) -> RemindersView:
        return self._on_board(
            actor, board, lambda uow, b: pause_reminders(uow, actor, b, until, now)
        )

    def resume_reminders(self, actor: Actor, board: str | None, now: dt.datetime) -> RemindersView:
        return self._on_board(actor, board, lambda uow, b: resume_reminders(uow, actor, b, now))

    # ------------------------------------------------------------ plans and themes

    def create_plan(
        self, actor: Actor, board: str | None, title: str, now: dt.datetime
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Board) -> PlanChange:
            plan = create_plan(uow, actor, found, title, now)
            return PlanChange(title=plan.title, board=found.name)

        return self._on_board(actor, board, work)

    def list_plans(self, actor: Actor) -> list[BoardSummary]:
        with self.units.request() as uow:
            return list_plans(uow, actor)

    def archive(self, actor: Actor, plan: str | None, now: dt.datetime) -> PlanChange:
        def work(uow: UnitOfWork, found: Plan) -> PlanChange:
            archive_plan(uow, actor, found, now)
            return PlanChange(title=found.title)

        return self._on_plan(actor, plan, work)

    def add_theme(
        self,
        actor: Actor,
        plan: str | None,
        ref: str,
        title: str,
        now: dt.datetime,
        *,
        lead: SlackProfile | None = None,
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Plan) -> PlanChange:
            lead_id = self._person_id(uow, actor, lead)
            theme = add_theme(uow, actor, found, ref, title, now, lead_id=lead_id)
            return PlanChange(ref=theme.ref, title=theme.title)

        return self._on_plan(actor, plan, work)

    def edit_theme(
        self,
        actor: Actor,
        plan: str | None,
        ref: str,
        now: dt.datetime,
        *,
        title: str | None = None,
        lead: SlackProfile | None = None,
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Plan) -> PlanChange:
            theme = find_theme(uow, found, ref)
            lead_id = self._person_id(uow, actor, lead)
            changes = edit_theme(uow, actor, theme, now, title=title, lead_id=lead_id)
            return PlanChange(ref=theme.ref, title=theme.title, changes=_change_list(changes))

        return self._on_plan(actor, plan, work)

    def remove_theme(
        self, actor: Actor, plan: str | None, ref: str, now: dt.datetime
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Plan) -> PlanChange:
            theme = find_theme(uow, found, ref)
            removed = PlanChange(ref=theme.ref, title=theme.title)
            remove_theme(uow, actor, theme, now)
            return removed

        return self._on_plan(actor, plan, work)

    # ------------------------------------------------------------ actions

    def add_action(
        self,
        actor: Actor,
        plan: str | None,
        ref: str,
        title: str,
        now: dt.datetime,
        *,
        due: dt.date | None,
        due_precision: str,
        owners: Sequence[SlackProfile],
        theme: str | None = None,
        measures: str | None = None,
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Plan) -> PlanChange:
            action = add_action(
                uow,
                actor,
                found,
                ref,
                title,
                now,
                due=due,
                due_precision=due_precision,
                owner_ids=[person_for_profile(uow, actor, p).id for p in owners],
                theme_ref=theme,
                measures=measures,
            )
            return PlanChange(ref=action.ref, title=action.title, theme_ref=action.theme.ref)

        return self._on_plan(actor, plan, work)

    def edit_action(
        self,
        actor: Actor,
        plan: str | None,
        ref: str,
        now: dt.datetime,
        *,
        title: str | None = None,
        due: dt.date | None = None,
        due_precision: str | None = None,
        measures: str | None = None,
    ) -> PlanChange:
        def work(uow: UnitOfWork, action: Action) -> PlanChange:
            changes = edit_action(
                uow,
                actor,
                action,
                now,
                title=title,
                due=due,
                due_precision=due_precision,
                measures=measures,
            )
            return PlanChange(ref=action.ref, changes=_change_list(changes))

        return self._on_action(actor, plan, ref, work)

    def move_action(
        self, actor: Actor, plan: str | None, ref: str, theme: str, now: dt.datetime
    ) -> PlanChange:
        def work(uow: UnitOfWork, found: Plan) -> PlanChange:
            action = find_action(uow, found, ref)
            to = find_theme(uow, found, theme)
            before = move_action(uow, actor, action, to, now)
            return PlanChange(
                ref=action.ref,
                title=action.title,
                before=before,
                theme_ref=to.ref,
                theme_title=to.title,
            )

        return self._on_plan(actor, plan, work)

    def set_owners(
        self,
        actor: Actor,
        plan: str | None,
        ref: str,
        owners: Sequence[SlackProfile],
        now: dt.datetime,
    ) -> PlanChange:
        def work(uow: UnitOfWork, action: Action) -> PlanChange:
            owner_ids = [person_for_profile(uow, actor, p).id for p in owners]
            set_owners(uow, actor, action, owner_ids, now)
            return PlanChange(ref=action.ref)

        return self._on_action(actor, plan, ref, work)

    def add_delegate(
        self, actor: Actor, plan: str | None, ref: str, delegate: SlackProfile, now: dt.datetime
    ) -> PlanChange:
        def work(uow: UnitOfWork, action: Action) -> PlanChange:
            person = person_for_profile(uow, actor, delegate)
            added = add_delegate(uow, actor, action, person.id, now)
            return PlanChange(ref=action.ref, done=added)

        return self._on_action(actor, plan, ref, work)

    def remove_action(
        self, actor: Actor, plan: str | None, ref: str, now: dt.datetime
    ) -> PlanChange:
        def work(uow: UnitOfWork, action: Action) -> PlanChange:
            remove_action(uow, actor, action, now)
            return PlanChange(ref=action.ref, title=action.title)

        return self._on_action(actor, plan, ref, work)

    # ------------------------------------------------------------ roles

    def add_admin(self, actor: Actor, person: SlackProfile, now: dt.datetime) -> RoleChange:
        return self.units.committed(lambda uow: add_admin(uow, actor, person, now))

    def remove_admin(self, actor: Actor, person: SlackProfile, now: dt.datetime) -> RoleChange:
        return self.units.committed(lambda uow: remove_admin(uow, actor, person, now))

    def add_member(
        self, actor: Actor, board: str | None, person: SlackProfile, now: dt.datetime
    ) -> RoleChange:
        return self._on_board(actor, board, lambda uow, b: add_member(uow, actor, b, person, now))

    def remove_member(
        self, actor: Actor, board: str | None, person: SlackProfile, now: dt.datetime
    ) -> RoleChange:
        return self._on_board(
            actor, board, lambda uow, b: remove_member(uow, actor, b, person, now)
        )

    # ------------------------------------------------------------ export

    def export(
        self, actor: Actor, plan: str | None, fmt: ExportFormat, now: dt.datetime
    ) -> ExportedPlan:
        """The plan (the only active one unless named) as a file: `.content` (bytes) and
        `.filename`, for Slack to upload and the CLI to write."""
        with self.units.request() as uow:
            return export_plan(uow, actor, plan, fmt, now)


# ---------------------------------------------------------------- the import form's use cases


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, checked only, would do), in lines; and who was linked."""

    filename: str
    lines: list[str]
    checked_only: bool
    linking: LinkingOutcome | None = None


class ImportService:
    """`/plan import`: what the form offers, and importing the file it was given."""

    def __init__(self, units: Units, settings: Settings, people: PeopleService) -> None:
        self.units = units
        self.settings = settings
        self.people = people

    def choices(self, actor: Actor) -> ImportChoices:
        """The form's choices, for an admin; anyone else is refused before it opens."""
        with self.units.request() as uow:
            return import_choices(uow, actor)

    def run(
        self,
        actor: Actor,
        data: bytes,
        filename: str,
        now: dt.datetime,
        *,
        directory: Directory,
        board_id: int | None = None,
        title: str | None = None,
        check_only: bool = False,
    ) -> ImportOutcome:
        """Read and import the sheet in one transaction (a failure writes nothing; checking
        only rolls it back), then link the plan's owners to Slack users."""
        parsed = read_plan(data, filename)
        with self.units.request() as uow:
            result = import_sheet(
                uow,
                actor,
                parsed,
                now,
                filename=filename,
                board_id=board_id,
                plan_title=title,
                new_board=BoardDefaults(self.settings.timezone, self.settings.region),
            )
            if check_only:  # leaving without commit rolls everything back
                result.summary.checked_only = True
                return ImportOutcome(filename, result.summary.lines(), checked_only=True)
            uow.commit()
        linking = self.people.link_plan_owners(actor, result.plan_id, directory, now)
        summary = result.summary
        summary.unlinked_owners = []  # listed by the outcome, each with the line that links them
        return ImportOutcome(filename, summary.lines(), checked_only=False, linking=linking)
