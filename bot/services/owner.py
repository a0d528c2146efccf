"""What owners see and do between board meetings.

Reads: my open actions across active plans (with their latest update), the action a ref, a
button or a reminder thread means, status by theme for the boards a person is involved in,
and what a date-change request says. Use cases: an update from a form, a button or a thread
reply, and a request for a new due date. Like the other use cases, each takes a UnitOfWork,
an Actor and plain values, checks permission and leaves committing to the caller.

The date-change messages to chairs and requesters go through the outbox
(bot.services.outbox.enqueue_date_change), in the transaction that asks or decides.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, or_, select

from bot.core.board_status import (
    ActionRow,
    StatusCounts,
    ThemeStatus,
    count_owing,
    count_statuses,
    status_by_theme,
)
from bot.core.calendar import local_date
from bot.core.dates import format_day
from bot.core.errors import Conflict, NotFound, PermissionDenied, UserError
from bot.core.impact import Impact, read_impact_words
from bot.core.permissions import Permission, Role, is_allowed
from bot.core.refs import ref_key
from bot.core.statuses import Status, split_leading_status
from bot.services import outbox
from bot.services.plans import (
    Actor,
    matching_ref,
    normalise_ref,
    roles_of,
    standing,
    workspace_actions,
)
from bot.services.privacy import Held
from bot.services.progress import (
    RecordedUpdate,
    check_may_update,
    record_progress,
    request_date_change,
)
from bot.services.queries import action_rows, theme_rows
from bot.services.uow import UnitOfWork
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    Notification,
    NotificationItem,
    Person,
    Plan,
    RoleGrant,
    Theme,
)

REMINDER_KINDS = ("reminder", "escalation")


class FieldError(UserError):
    """Bad input in one field of a form; `field` names it (action, status, note, date, reason)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- my actions


@dataclass(frozen=True)
class MyAction:
    """An action as its owner (or delegate) sees it, with its latest update."""

    action_id: int
    ref: str
    title: str
    due: dt.date | None
    due_precision: str
    status: Status
    plan: str
    board: str
    overdue: bool
    delegate: bool = False  # the person stands in for the owners
    last_update_on: dt.date | None = None  # board-local date
    last_update_note: str | None = None
    due_text: str | None = None  # the sheet's words when the due cell is not a date


def my_open_actions(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> list[MyAction]:
    """Actions not yet complete in active plans that the actor owns or stands in for,
    soonest due first (undated last)."""
    if actor.person_id is None:
        return []
    rows = action_rows(
        uow.session,
        now,
        assigned_to=actor.person_id,
        workspace_id=actor.workspace_id,
        open_only=True,
    )
    mine = [_my_action(row, delegate=actor.person_id not in row.owner_ids) for row in rows]
    return sorted(mine, key=_due_order)


def _due_order(item: MyAction) -> tuple[Any, ...]:
    return (item.due is None, item.due or dt.date.max, ref_key(item.ref), item.plan)


def _my_action(row: ActionRow, delegate: bool = False) -> MyAction:
    latest = row.latest
    return MyAction(
        action_id=row.id,
        ref=row.ref,
        title=row.title,
        due=row.due,
        due_precision=row.due_precision,
        status=Status(row.status),
        plan=row.plan,
        board=row.board,
        overdue=row.overdue,
        delegate=delegate,
        last_update_on=local_date(latest.at, row.timezone) if latest else None,
        last_update_note=latest.note if latest else None,
        due_text=row.due_text,
    )


def describe_action(uow: UnitOfWork, action: Action, now: dt.datetime) -> MyAction:
    """An action of an active plan as its owner sees it."""
    (row,) = action_rows(uow.session, now, action_ids=[action.id])
    return _my_action(row)


def my_action(uow: UnitOfWork, actor: Actor, ref: str) -> Action:
    """The action a person means by a ref: the one they own or stand in for in an active
    plan; failing that, the only action with that ref in the workspace's active plans."""
    clean = normalise_ref(ref)
    candidates = (
        workspace_actions(select(Action), actor.workspace_id)
        .where(Plan.active.is_(True), func.lower(Action.ref) == matching_ref(ref))
        .order_by(Plan.id)
    )
    if actor.person_id is not None:
        mine = uow.session.scalars(
            candidates.where(
                Action.id.in_(
                    select(ActionAssignment.action_id).where(
                        ActionAssignment.person_id == actor.person_id
                    )
                )
            )
        ).all()
        if len(mine) == 1:
            return mine[0]
        if len(mine) > 1:
            plans = ", ".join(f"“{a.plan.title}”" for a in mine)
            raise UserError(
                f"You have an action {clean} in several plans ({plans}). "
                "Use its Update button in `/progress mine` instead."
            )
    found = uow.session.scalars(candidates).all()
    if len(found) == 1:
        return found[0]
    if not found:
        if (Role.ADMIN.value, None) in roles_of(uow, actor.person_id):
            raise NotFound(
                f"There's no action {clean} in the active plans. "
                "`/board theme <ref>` lists a theme's actions."
            )
        raise NotFound(
            f"There's no action {clean} in the active plans. `/progress mine` lists yours."
        )
    plans = ", ".join(f"“{a.plan.title}”" for a in found)
    raise UserError(
        f"Several plans have an action {clean} ({plans}) and none of them is yours. "
        "`/progress mine` lists yours."
    )


def action_by_id(uow: UnitOfWork, actor: Actor, action_id: int) -> Action:
    """The action a button or form names, if it is still in an active plan of this workspace."""
    action = uow.session.get(Action, action_id)
    if (
        action is None
        or action.removed_at is not None
        or action.plan.board.workspace_id != actor.workspace_id
    ):
        raise NotFound("That action isn't in the plan any more. `/progress mine` lists yours.")
    if not action.plan.active:
        raise Conflict(f"“{action.plan.title}” is archived, so {action.ref} can't be changed.")
    return action


@dataclass(frozen=True)
class UpdateForm:
    """What the update form offers: my open actions, and the one it opens on (if any)."""

    choices: list[MyAction]
    selected: MyAction | None = None
    measures: str | None = None  # how the selected action's progress and impact are measured


@dataclass(frozen=True)
class Measures:
    """An action's measures in full: how its progress and impact are measured or evidenced."""

    action_id: int
    ref: str
    title: str
    text: str | None


def measures_of(uow: UnitOfWork, actor: Actor, action_id: int) -> Measures:
    """The measures of an action of an active plan of the actor's workspace."""
    action = action_by_id(uow, actor, action_id)
    return Measures(action.id, action.ref, action.title, action.measures)


def update_form(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, action_id: int | None = None
) -> UpdateForm:
    """The actions the update form offers; one named action must be one the actor may update."""
    choices = my_open_actions(uow, actor, now)
    if action_id is None:
        if not choices:
            raise NotFound(
                "You have no open actions to update. `/progress help` shows what else I can do."
            )
        return UpdateForm(choices)
    selected = next((c for c in choices if c.action_id == action_id), None)
    if selected is None:
        action = action_by_id(uow, actor, action_id)
        check_may_update(uow, actor, action, now)
        selected = describe_action(uow, action, now)
    # The chosen action first, then the rest soonest due: a select offers only so many.
    others = [c for c in choices if c.action_id != action_id]
    measures = uow.session.scalar(select(Action.measures).where(Action.id == selected.action_id))
    return UpdateForm([selected, *others], selected, measures or None)


def date_form(uow: UnitOfWork, actor: Actor, action_id: int, now: dt.datetime) -> MyAction:
    """The action a new-date form is for, refused when the actor may not ask for it."""
    action = action_by_id(uow, actor, action_id)
    check_may_update(uow, actor, action, now)
    return describe_action(uow, action, now)


# ---------------------------------------------------------------- updates


@dataclass(frozen=True)
class Recorded:
    """A progress update as its author is told about it."""

    action_id: int
    ref: str
    title: str
    status: Status
    previous_status: Status
    note: str | None = None
    evidence: str | None = None
    impact: Impact | None = None  # the judgement this update gave
    duplicate: bool = False  # the same Slack request or event seen again: nothing new
    repeated: bool = False  # the same update sent again within minutes: recorded once
    instead_of: str | None = None  # a reminder thread's action(s), when the reply named another
    held: Held | None = None  # its text was flagged: nothing recorded until its author confirms
    covering_for: str | None = None  # the away owner its author covered for
    evidence_on_record: str | None = None  # the action's latest evidence of impact, when
    # this update completed it

    @property
    def status_changed(self) -> bool:
        return self.status is not self.previous_status

    @property
    def reopened(self) -> bool:
        """This update gave a complete action another status: it is open again."""
        return self.previous_status.is_complete and not self.status.is_complete


def recorded(action: Action, result: RecordedUpdate) -> Recorded:
    """A progress update `record_progress` recorded (it checks permission), as its author is
    told about it."""
    return Recorded(
        action_id=action.id,
        ref=action.ref,
        title=action.title,
        status=result.status,
        previous_status=result.previous_status,
        note=result.note,
        evidence=result.evidence,
        impact=result.impact,
        duplicate=result.duplicate,
        repeated=result.repeated,
        covering_for=result.covering_for,
        held=result.held,
        evidence_on_record=result.evidence_on_record,
    )


def update_from_form(
    uow: UnitOfWork,
    actor: Actor,
    action_id: int | None,
    now: dt.datetime,
    *,
    status: Status | None,
    note: str | None,
    evidence: str | None,
    impact: Impact | None = None,
    dedupe_key: str | None = None,
) -> Recorded:
    """An update from the update form: it needs an action, and a status or a note."""
    if action_id is None:
        raise FieldError("action", "Choose the action to update.")
    if (
        status is None
        and impact is None
        and not (note or "").strip()
        and not (evidence or "").strip()
    ):
        raise FieldError("note", "Choose a new status or write a note (or both).")
    action = action_by_id(uow, actor, action_id)
    result = record_progress(
        uow,
        actor,
        action,
        now,
        source="modal",
        status=status,
        note=note,
        evidence=evidence,
        impact=impact,
        dedupe_key=dedupe_key,
    )
    return recorded(action, result)


def complete_action(
    uow: UnitOfWork, actor: Actor, action_id: int, now: dt.datetime, dedupe_key: str | None = None
) -> Recorded:
    """Mark an action complete (blue) from a button."""
    action = action_by_id(uow, actor, action_id)
    check_may_update(uow, actor, action, now)
    if action.status == Status.BLUE.value:
        raise Conflict(f"{action.ref} is already marked complete.")
    result = record_progress(
        uow, actor, action, now, source="button", status=Status.BLUE, dedupe_key=dedupe_key
    )
    return recorded(action, result)


# ---------------------------------------------------------------- reminder threads


@dataclass(frozen=True)
class ThreadAction:
    action_id: int
    ref: str
    title: str


@dataclass(frozen=True)
class ReminderThread:
    """A reminder DM the bot sent, and the actions it spoke about."""

    notification_id: int
    kind: str
    actions: tuple[ThreadAction, ...]


def find_reminder_thread(
    uow: UnitOfWork, workspace_id: int, channel: str, thread_ts: str
) -> ReminderThread | None:
    """The reminder whose DM has this channel and ts, or None when it is not a reminder."""
    notification = uow.session.scalar(
        select(Notification)
        .where(
            Notification.workspace_id == workspace_id,
            Notification.channel == channel,
            Notification.ts == thread_ts,
            Notification.kind.in_(REMINDER_KINDS),
        )
        .order_by(Notification.id)
        .limit(1)
    )
    if notification is None:
        return None
    rows = uow.session.execute(
        select(Action.id, Action.ref, Action.title)
        .join(NotificationItem, NotificationItem.action_id == Action.id)
        .where(NotificationItem.notification_id == notification.id, Action.removed_at.is_(None))
    ).all()
    actions = {row.id: ThreadAction(row.id, row.ref, row.title) for row in rows}
    ordered = sorted(actions.values(), key=lambda a: ref_key(a.ref))
    return ReminderThread(notification.id, notification.kind, tuple(ordered))


def read_reply(thread: ReminderThread, text: str) -> tuple[ThreadAction, Status | None, str | None]:
    """Which action a reply means, and the status and note it gives.

    `4.1 amber: survey slipped` names the action; a reminder about one action needs no ref.
    A leading status word (`amber:`, `on track -`, `done`) sets the status; the rest is the note.
    """
    body = text.strip()
    head, rest = (re.split(r"\s+", body, maxsplit=1) + [""])[:2]
    head_ref = normalise_ref(head.rstrip(":,;-–—"))
    named = next((a for a in thread.actions if a.ref.lower() == head_ref.lower()), None)
    if named is not None:
        body = rest.strip()
    elif len(thread.actions) == 1:
        named = thread.actions[0]
    else:
        refs = [a.ref for a in thread.actions]
        if not refs:
            raise NotFound(
                "The actions in this reminder aren't in the plan any more. "
                "`/progress mine` lists yours."
            )
        listed = _listed(refs)
        raise UserError(
            f"This reminder is about {listed}. Start your reply with the ref, "
            f"e.g. `{refs[0]} amber: survey slipped`."
        )
    status, note = _status_and_note(body)
    return named, status, note


# Replies that ask for help or only say thanks: never a progress note for the board to read.
_NOT_AN_UPDATE = frozenset(
    {
        "help",
        "help me",
        "how",
        "what",
        "",
        "thanks",
        "thank you",
        "thankyou",
        "thx",
        "ta",
        "cheers",
        "ok",
        "okay",
        "ok thanks",
        "okay thanks",
        "noted",
        "will do",
        "got it",
    }
)


def _refuse_a_reply_that_is_no_update(thread: ReminderThread, text: str) -> None:
    """A reply like "help", "?" or "thanks" is answered with how to reply, and not recorded."""
    if " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split()) not in _NOT_AN_UPDATE:
        return
    refs = [a.ref for a in thread.actions]
    if len(refs) == 1:
        how = "reply here with a status and what has changed, e.g. `amber: survey slipped`"
        done = "`done`"
    else:
        how = (
            f"reply here starting with the ref ({_listed(refs)}), e.g. "
            f"`{refs[0]} amber: survey slipped`"
        )
        done = f"`{refs[0]} done`"
    raise UserError(
        f"Nothing is recorded. To update, {how}, or {done} when it's complete; "
        "the buttons work too, and `/progress help` shows every form."
    )


def _status_and_note(body: str) -> tuple[Status | None, str | None]:
    first_line, newline, other_lines = body.partition("\n")
    status, note_start = split_leading_status(first_line)
    return status, (note_start + newline + other_lines).strip() or None


def _listed(refs: list[str]) -> str:
    return ", ".join(refs[:-1]) + f" and {refs[-1]}" if len(refs) > 1 else "".join(refs)


# A reply that starts like an action ref (4.1, 2.1a, 3.2.1) may mean an action the reminder
# is not about; a bare number ("12 carers came") is a note.
_ACTION_REF_LIKE = re.compile(r"\d+(?:\.[A-Za-z0-9]+)+")


def _named_elsewhere(
    uow: UnitOfWork, actor: Actor, thread: ReminderThread, text: str
) -> tuple[Action, str] | None:
    """The action a reply names when it isn't one the reminder is about, and the rest."""
    head, rest = (re.split(r"\s+", text.strip(), maxsplit=1) + [""])[:2]
    ref = normalise_ref(head.rstrip(":,;-–—"))
    if not _ACTION_REF_LIKE.fullmatch(ref):
        return None
    if any(a.ref.lower() == ref.lower() for a in thread.actions):
        return None
    try:
        return my_action(uow, actor, ref), rest.strip()
    except NotFound:
        return None  # no such action: the reply is a note that happens to start with a number


def record_thread_reply(
    uow: UnitOfWork,
    actor: Actor,
    thread: ReminderThread,
    text: str,
    now: dt.datetime,
    *,
    dedupe_key: str | None = None,
) -> Recorded:
    """A reply in a reminder's thread, recorded as an update on the action it names.

    A reply naming an action the reminder is not about is recorded on the action it names
    when the replier may update that one, and refused otherwise.
    """
    _refuse_a_reply_that_is_no_update(thread, text)
    elsewhere = _named_elsewhere(uow, actor, thread, text)
    about = None
    if elsewhere is not None:
        action, rest = elsewhere
        about = _listed([a.ref for a in thread.actions])
        if not is_allowed(
            Permission.UPDATE_ACTION, standing(uow, actor, action.plan.board_id, action.id)
        ):
            typed = " ".join(rest.split())[:200] or "amber: <what has changed>"
            raise PermissionDenied(
                f"{action.ref} isn't in this reminder (it's about {about}), and only its owners "
                f"and delegates can update it, so nothing is recorded. Its owner can type "
                f"`/progress {action.ref} {typed}`."
            )
        status, note = _status_and_note(rest)
    else:
        target, status, note = read_reply(thread, text)
        action = action_by_id(uow, actor, target.action_id)
    impact, note, evidence = read_impact_words(note)
    result = record_progress(
        uow,
        actor,
        action,
        now,
        source="thread",
        status=status,
        note=note,
        evidence=evidence,
        impact=impact,
        dedupe_key=dedupe_key,
    )
    return replace(recorded(action, result), instead_of=about)


# ---------------------------------------------------------------- date changes


def ask_for_new_date(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    new_due: dt.date,
    reason: str,
    now: dt.datetime,
    *,
    precision: str = "day",
    source: str = "command",
    dedupe_key: str | None = None,
) -> int:
    """Ask the board to move an action's due date; returns the request's id.

    The new date may not be in the past (board-local today is fine), nor the current one.
    """
    check_may_update(uow, actor, action, now)
    if dedupe_key is not None:  # the same Slack request again: the answer it had
        seen = uow.session.scalar(
            select(DateChangeRequest.id).where(DateChangeRequest.dedupe_key == dedupe_key)
        )
        if seen is not None:
            return seen
    today = local_date(now, action.plan.board.timezone)
    if new_due < today:
        raise FieldError(
            "date",
            f"{format_day(new_due)} is in the past. Choose a date from today "
            f"({format_day(today)}) on.",
        )
    if new_due == action.due_date:
        raise FieldError(
            "date", f"{action.ref} is already due on {format_day(new_due)}. Choose another."
        )
    if not reason.strip():
        raise FieldError("reason", "Say why the date needs to change — the board will ask.")
    _refuse_the_same_request_again(uow, actor, action, new_due, reason)
    request = request_date_change(
        uow,
        actor,
        action,
        new_due,
        reason,
        now,
        new_precision=precision,
        source=source,
        dedupe_key=dedupe_key,
    )
    return request.id


def _refuse_the_same_request_again(
    uow: UnitOfWork, actor: Actor, action: Action, new_due: dt.date, reason: str
) -> None:
    """Asking again for the date already waiting, for the same reason, asks nobody twice."""
    pending = uow.session.scalar(
        select(DateChangeRequest).where(
            DateChangeRequest.action_id == action.id, DateChangeRequest.state == "pending"
        )
    )
    if (
        pending is not None
        and pending.requested_by_id == actor.person_id
        and pending.new_due_date == new_due
        and " ".join(pending.reason.lower().split()) == " ".join(reason.lower().split())
    ):
        raise FieldError(
            "date",
            f"You've already asked to move {action.ref} to {format_day(new_due)}, "
            f"on {format_day(pending.requested_at.date())}; it's waiting for a decision "
            "and I'll tell you when it's made.",
        )


@dataclass(frozen=True)
class Who:
    person_id: int
    name: str
    slack_user_id: str | None


@dataclass(frozen=True)
class DateChangeNotice:
    """Everything the messages about one date-change request say."""

    request_id: int
    state: str  # pending | approved | declined | withdrawn
    workspace_id: int
    board_id: int
    board: str
    timezone: str
    action_ref: str
    action_title: str
    old_due: dt.date | None
    old_precision: str
    new_due: dt.date
    new_precision: str
    due: dt.date | None  # the action's due date now
    original_due: dt.date | None
    reason: str
    requested_by: Who | None
    requested_at: dt.datetime
    decided_by: Who | None = None
    decided_at: dt.datetime | None = None
    decision_note: str | None = None
    approvers: tuple[Who, ...] = field(default_factory=tuple)


def _who(person: Person | None) -> Who | None:
    return Who(person.id, person.name, person.slack_user_id) if person is not None else None


def date_change_approvers(uow: UnitOfWork, board: Board) -> list[Who]:
    """Who decides a board's date changes: its chair; with no chair, the workspace's admins."""
    return [Who(p.id, p.name, p.slack_user_id) for p in outbox.approvers(uow, board)]


def date_change_notice(uow: UnitOfWork, request_id: int) -> DateChangeNotice:
    request = uow.session.get(DateChangeRequest, request_id)
    if request is None:
        raise NotFound("I can't find that date change. `/board approve` lists the pending ones.")
    action = request.action
    board = action.plan.board
    return DateChangeNotice(
        request_id=request.id,
        state=request.state,
        workspace_id=board.workspace_id,
        board_id=board.id,
        board=board.name,
        timezone=board.timezone,
        action_ref=action.ref,
        action_title=action.title,
        old_due=request.old_due_date,
        # An approved request has changed the action's precision; the old one wasn't kept.
        old_precision=action.due_precision if request.state != "approved" else "day",
        new_due=request.new_due_date,
        new_precision=request.new_due_precision,
        due=action.due_date,
        original_due=action.original_due_date,
        reason=request.reason,
        requested_by=_who(request.requested_by),
        requested_at=request.requested_at,
        decided_by=_who(request.decided_by),
        decided_at=request.decided_at,
        decision_note=request.decision_note,
        approvers=tuple(date_change_approvers(uow, board)),
    )


def withdrawn_requests(uow: UnitOfWork, request_id: int) -> list[int]:
    """Requests for the same action that this one replaced before anyone decided them."""
    request = uow.session.get(DateChangeRequest, request_id)
    if request is None:
        return []
    return list(
        uow.session.scalars(
            select(DateChangeRequest.id).where(
                DateChangeRequest.action_id == request.action_id,
                DateChangeRequest.id != request.id,
                DateChangeRequest.state == "withdrawn",
            )
        )
    )


# ---------------------------------------------------------------- status by theme


@dataclass(frozen=True)
class BoardStatus:
    board_id: int
    name: str
    themes: tuple[ThemeStatus, ...]
    counts: StatusCounts = StatusCounts()
    owing_evidence: int = 0  # complete, impact not yet evidenced

    @property
    def overdue(self) -> int:
        return sum(t.overdue for t in self.themes)


def my_board_ids(uow: UnitOfWork, actor: Actor) -> list[int]:
    """Boards the actor is involved in: all of them for an admin; otherwise those they chair,
    are a member of, own or stand in for an action in, or lead a theme of."""
    session = uow.session
    in_workspace = select(Board.id).where(Board.workspace_id == actor.workspace_id)
    if actor.system or (Role.ADMIN.value, None) in roles_of(uow, actor.person_id):
        return list(session.scalars(in_workspace.order_by(Board.id)))
    if actor.person_id is None:
        return []
    me = actor.person_id
    granted = select(RoleGrant.board_id).where(
        RoleGrant.person_id == me, RoleGrant.board_id.is_not(None)
    )
    assigned = (
        select(Plan.board_id)
        .join(Action, Action.plan_id == Plan.id)
        .join(ActionAssignment, ActionAssignment.action_id == Action.id)
        .where(ActionAssignment.person_id == me, Action.removed_at.is_(None))
    )
    leading = select(Plan.board_id).join(Theme, Theme.plan_id == Plan.id).where(Theme.lead_id == me)
    return list(
        session.scalars(
            in_workspace.where(
                or_(
                    Board.chair_id == me,
                    Board.id.in_(granted),
                    Board.id.in_(assigned),
                    Board.id.in_(leading),
                )
            ).order_by(Board.id)
        )
    )


def my_boards_status(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> list[BoardStatus]:
    """Status by theme (counts by BRAG, and overdue) of each active plan of my boards."""
    board_ids = my_board_ids(uow, actor)
    if not board_ids:
        return []
    session = uow.session
    names = dict(session.execute(select(Board.id, Board.name).where(Board.id.in_(board_ids))).all())
    themes = theme_rows(session, board_ids)
    rows = action_rows(session, now, board_ids=board_ids)
    return [
        BoardStatus(
            board_id,
            names[board_id],
            status_by_theme([t for t in themes if t.board_id == board_id], rows),
            count_statuses(r.status for r in rows if r.board_id == board_id),
            count_owing(r for r in rows if r.board_id == board_id),
        )
        for board_id in board_ids
    ]
