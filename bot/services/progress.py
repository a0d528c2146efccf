"""Use cases owners and chairs run: progress updates and date changes."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Connection, Integer, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.core.calendar import local_date
from bot.core.errors import Conflict, NotFound, UserError
from bot.core.impact import Impact
from bot.core.permissions import Permission, Standing, check
from bot.core.personal_data import check as check_text
from bot.core.statuses import Status, status_of
from bot.services import UseCases, outbox
from bot.services.cover import covering_for
from bot.services.plans import (
    DELEGATE,
    OWNER,
    Actor,
    audit,
    matching_ref,
    standing,
    workspace_actions,
)
from bot.services.privacy import Held, guard, hold, patterns_from
from bot.services.queries import action_rows
from bot.services.text_limits import refuse_overlong_values
from bot.services.uow import UnitOfWork
from db.history import KEPT, history_after, note_update
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    Person,
    Plan,
    PrivacySettings,
    ProgressUpdate,
)

if TYPE_CHECKING:
    from bot.services.owner import DateChangeNotice, Measures, MyAction, Recorded, UpdateForm

log = logging.getLogger(__name__)
M = TypeVar("M", ProgressUpdate, DateChangeRequest)

IMPORTED = "import"
CLOSED = "closed"  # a date-change request whose action was completed before anyone decided
# The note recorded with a date request (reminders and papers show it as the latest update).
DATE_REQUEST_NOTE = "Asked the board to move the due date: "
SOURCES = ("command", "modal", "thread", "button", IMPORTED, "cli")
# The same person sending the same update for the same action within this window (a retry
# after Slack showed them a timeout, or a reply typed again) is recorded once.
REPEAT_WINDOW = dt.timedelta(minutes=10)
FROM_SLACK = frozenset({"command", "modal", "thread", "button"})


def lock_action(uow: UnitOfWork, action: Action) -> None:
    """Hold the action's row until the transaction ends, and re-read it.

    Every write about one action takes this first, so writers queue one after another and each
    sees the one before it: the status an update replaces, the pending date change a new one
    withdraws. PostgreSQL needs the row lock and the re-read; on SQLite every transaction
    begins with BEGIN IMMEDIATE, whose write lock already serialises writers, and the session
    (one per unit of work) read the action inside it, so there is nothing to do.
    """
    if uow.session.get_bind().dialect.name == "sqlite":
        return  # BEGIN IMMEDIATE came first: everything this transaction read is current
    uow.session.scalars(
        select(Action)
        .where(Action.id == action.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()  # fetched, so the action's attributes are refreshed


def check_may_update(
    uow: UnitOfWork, actor: Actor, action: Action, now: dt.datetime | None = None
) -> int | None:
    """Refuse whoever may not update the action; the owner the actor covers for while that
    owner is away, when that is why they may (None otherwise)."""
    if actor.person_id is not None and uow.session.scalar(
        select(ActionAssignment.role)
        .where(
            ActionAssignment.action_id == action.id,
            ActionAssignment.person_id == actor.person_id,
            ActionAssignment.role.in_((OWNER, DELEGATE)),
        )
        .limit(1)
    ):
        return None  # an owner or delegate may: the rest of their standing cannot change that
    found = standing(uow, actor, action.plan.board_id, action.id)
    covered = None
    if now is not None and not (found.owner or found.delegate or found.system):
        board = action.plan.board
        covered = covering_for(uow, actor, action.id, local_date(now, board.timezone))
        if covered is not None:  # the deputy stands in for the away owner, as a delegate does
            found = replace(found, covering=True, delegate=True)
    check(Permission.UPDATE_ACTION, found, ref=action.ref)
    return covered


def _seen(uow: UnitOfWork, model: type[M], dedupe_key: str | None) -> M | None:
    """What the same Slack request or event made the first time (None: it is new)."""
    if dedupe_key is None:
        return None
    return uow.session.scalar(select(model).where(model.dedupe_key == dedupe_key))


@dataclass(frozen=True)
class RecordedUpdate:
    update_id: int
    action_ref: str
    status: Status
    previous_status: Status
    duplicate: bool = False  # the same Slack request or event seen again
    repeated: bool = False  # the same update from the same person moments ago: kept once
    note: str | None = None  # as recorded (none for a duplicate)
    evidence: str | None = None
    impact: Impact | None = None
    covering_for: str | None = None  # the away owner the author covered for (their name)
    held: Held | None = None  # its text was flagged: held, not recorded (update_id is 0)
    evidence_on_record: str | None = None  # the action's latest evidence of impact, given
    # before or with this update (read only when this update completes the action)


def record_progress(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    now: dt.datetime,
    *,
    source: str,
    status: Status | None = None,
    note: str | None = None,
    evidence: str | None = None,
    impact: Impact | None = None,
    dedupe_key: str | None = None,
    completed_on: dt.date | None = None,
    check_permission: bool = True,
    flush: bool = True,
    confirmed: bool = False,
    lock: bool = True,
) -> RecordedUpdate:
    """Append a progress update; it sets the action's status, and blue sets the completion date.

    Text from Slack is checked for a child's or family's personal details first: flagged, the
    update is held, not recorded, until its author confirms it (`confirmed`)."""
    if source not in SOURCES:
        raise ValueError(f"unknown update source {source!r}")
    covered = check_may_update(uow, actor, action, now) if check_permission else None
    if lock:  # an action made in this transaction is seen by nobody else: nothing to queue for
        lock_action(uow, action)
    seen = _seen(uow, ProgressUpdate, dedupe_key)
    if seen is not None:
        current = Status(action.status)
        return RecordedUpdate(seen.id, action.ref, current, current, duplicate=True)
    note = (note or "").strip() or None
    evidence = (evidence or "").strip() or None
    if status is None and note is None and evidence is None and impact is None:
        raise UserError(
            f"Say what's changed: `/progress {action.ref} amber survey slipped to June`, "
            f"or `/progress {action.ref} note <text>`."
        )
    if source in FROM_SLACK:
        text = "\n".join(part for part in (note, evidence) if part)
        findings = guard(uow, actor.workspace_id, text, confirmed)
        if findings:
            current = Status(action.status)
            held = hold(
                uow,
                actor,
                action.id,
                action.ref,
                now,
                findings,
                source=source,
                status=status.value if status is not None else None,
                note=note,
                evidence=evidence,
                dedupe_key=dedupe_key,
            )
            return RecordedUpdate(0, action.ref, current, current, held=held)
    if actor.person_id is not None and source in FROM_SLACK:
        repeat = _recent_same_update(
            uow, actor.person_id, action, now, status, note, evidence, impact
        )
        if repeat is not None:
            current = Status(action.status)
            return RecordedUpdate(
                repeat.id,
                action.ref,
                current,
                current,
                repeated=True,
                note=note,
                evidence=evidence,
                impact=impact,
            )
    previous = Status(action.status)
    update = ProgressUpdate(
        action_id=action.id,
        author_id=actor.person_id,
        at=now,
        status=(status or previous).value,
        previous_status=previous.value,
        note=note,
        evidence=evidence,
        impact=impact.value if impact is not None else None,
        source=source,
        dedupe_key=dedupe_key,
        covering_for_id=covered,
    )
    uow.session.add(update)
    note_update(action, update)
    if status is not None:
        action.status = status.value
        if status is Status.BLUE:
            action.completed_on = completed_on or now.date()
        else:
            action.completed_on = None
    if flush:  # an import records many and flushes them together (the id comes with it)
        uow.session.flush()
    on_record = None
    if status is Status.BLUE and previous is not Status.BLUE:
        close_date_changes(uow, actor, action, now)
        if flush and evidence is None:  # asked for only when none is on record
            rows = action_rows(uow.session, now, action_ids=[action.id])
            on_record = rows[0].evidence if rows else None
    return RecordedUpdate(
        update.id,
        action.ref,
        Status(action.status),
        previous,
        note=note,
        evidence=evidence,
        impact=impact,
        covering_for=_name_of(uow, covered),
        evidence_on_record=on_record or evidence,
    )


def _mine_with_ref(query: Select[Any]) -> Select[Any]:
    """`query` kept to the actor's actions of a ref in the workspace's active plans, as
    `owner.my_action` finds them (at most two: one is what the everyday update needs)."""
    person = bindparam("person", type_=Integer)
    return (
        workspace_actions(query, bindparam("workspace", type_=Integer))
        .where(
            Plan.active.is_(True),
            func.lower(Action.ref) == bindparam("ref"),
            Action.id.in_(
                select(ActionAssignment.action_id).where(ActionAssignment.person_id == person)
            ),
        )
        .limit(2)
    )


@functools.cache
def _lock_mine_by_ref() -> Select[Any]:
    """Holds the rows `_mine_by_ref` reads (PostgreSQL), as `lock_action` does. A statement of
    its own: under READ COMMITTED the next statement reads what the writer it waited for
    committed (its update, its Slack request's key); the locking statement would not."""
    return _mine_with_ref(select(Action.id)).with_for_update(of=Action, key_share=True)


@functools.cache
def _mine_by_ref(with_status: bool) -> Select[Any]:
    """The actor's action of a ref in the workspace's active plans, with everything the
    common update needs to know about it in the same statement: the actor's role on it, the
    update already made by this Slack request (if any), the same update from them moments ago
    (if any), and the workspace's personal-details patterns. Built once; values are bound."""
    person = bindparam("person", type_=Integer)
    workspace = bindparam("workspace", type_=Integer)
    role = (
        select(ActionAssignment.role)
        .where(
            ActionAssignment.action_id == Action.id,
            ActionAssignment.person_id == person,
            ActionAssignment.role.in_((OWNER, DELEGATE)),
        )
        .limit(1)
        .scalar_subquery()
    )
    earlier = aliased(ProgressUpdate)
    latest_of_theirs = (
        select(earlier.id)
        .where(
            earlier.action_id == Action.id,
            earlier.author_id == person,
            earlier.at >= bindparam("since"),
        )
        .order_by(earlier.at.desc(), earlier.id.desc())
        .limit(1)
        .correlate(Action)
        .scalar_subquery()
    )
    same = select(ProgressUpdate.id).where(
        ProgressUpdate.id == latest_of_theirs,
        ProgressUpdate.note.is_not_distinct_from(bindparam("note")),
        ProgressUpdate.evidence.is_not_distinct_from(bindparam("evidence")),
        ProgressUpdate.impact.is_not_distinct_from(bindparam("impact")),
    )
    if with_status:
        same = same.where(ProgressUpdate.status == bindparam("status"))
    seen = select(ProgressUpdate.id).where(ProgressUpdate.dedupe_key == bindparam("dedupe"))
    patterns = select(PrivacySettings.patterns).where(PrivacySettings.workspace_id == workspace)
    return _mine_with_ref(
        select(
            Action.id,
            Action.ref,
            Action.title,
            Action.status,
            *(getattr(Action, key) for key in KEPT),
            role.label("role"),
            same.scalar_subquery().label("repeat"),
            seen.scalar_subquery().label("seen"),
            patterns.scalar_subquery().label("patterns"),
        )
    )


_ACTION_TABLE = cast(Table, Action.__table__)
_UPDATE_TABLE = cast(Table, ProgressUpdate.__table__)
_INSERT_UPDATE = insert(_UPDATE_TABLE).returning(_UPDATE_TABLE.c.id)
_UPDATE_ACTION = update(_ACTION_TABLE).where(_ACTION_TABLE.c.id == bindparam("the_action"))


def record_mine_at_once(
    connection: Connection,
    actor: Actor,
    ref: str,
    now: dt.datetime,
    *,
    status: Status | None,
    note: str | None,
    evidence: str | None,
    impact: Impact | None,
    dedupe_key: str | None,
) -> Recorded | None:
    """The everyday `/progress <ref> <status> <note>` from an owner or delegate, in one read and
    two writes; None when it is anything else (not theirs, ambiguous, a retry, a repeat, text
    to hold, a completion or reopening), which `record_progress` then handles in full, in a
    transaction of its own (`Units.written` runs this one: Core statements, no ORM session).

    The same rules as `record_progress` (and `db.history.history_after` for what the action
    keeps); it differs only in cost: the slash command answers within Slack's deadline while
    several owners write at once."""
    note = (note or "").strip() or None
    evidence = (evidence or "").strip() or None
    if actor.person_id is None or status is Status.BLUE:
        return None
    if status is None and note is None and evidence is None and impact is None:
        return None
    impact_value = impact.value if impact is not None else None
    which = {
        "person": actor.person_id,
        "workspace": actor.workspace_id,
        "ref": matching_ref(ref),
    }
    if connection.dialect.name != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises
        connection.execute(_lock_mine_by_ref(), which)
    rows = connection.execute(
        _mine_by_ref(status is not None),
        {
            **which,
            "since": now - REPEAT_WINDOW,
            "note": note,
            "evidence": evidence,
            "impact": impact_value,
            "status": status.value if status is not None else None,
            "dedupe": dedupe_key,
        },
    ).all()
    if len(rows) != 1:
        return None
    row = rows[0]
    previous = status_of(row.status)
    if row.role is None or row.seen is not None or row.repeat is not None:
        return None
    if previous is Status.BLUE:
        return None
    text = "\n".join(part for part in (note, evidence) if part)
    if text and check_text(text, patterns_from(row.patterns)):
        return None
    given = (status or previous).value
    values = {
        "action_id": row.id,
        "author_id": actor.person_id,
        "at": now,
        "status": given,
        "previous_status": previous.value,
        "note": note,
        "evidence": evidence,
        "impact": impact_value,
        "source": "command",
        "dedupe_key": dedupe_key,
        "covering_for_id": None,
    }
    refuse_overlong_values(_UPDATE_TABLE, values)
    update_id = connection.execute(_INSERT_UPDATE, values).scalar_one()
    changes = history_after(
        row._mapping,
        now,
        previous_status=previous.value,
        status=given,
        impact=impact_value,
        evidence=evidence,
    )
    if "latest_update_at" in changes:
        changes["latest_update_id"] = update_id
    if status is not None:
        changes["status"] = given
        changes["completed_on"] = None
    connection.execute(_UPDATE_ACTION, {"the_action": row.id, **changes})
    return owner.Recorded(
        action_id=row.id,
        ref=row.ref,
        title=row.title,
        status=status or previous,
        previous_status=previous,
        note=note,
        evidence=evidence,
        impact=impact,
        evidence_on_record=evidence,
    )


def _name_of(uow: UnitOfWork, person_id: int | None) -> str | None:
    person = uow.session.get(Person, person_id) if person_id is not None else None
    return person.name if person is not None else None


def close_date_changes(uow: UnitOfWork, actor: Actor, action: Action, now: dt.datetime) -> None:
    """A completed action needs no new date: its pending request closes, and whoever would have
    decided it is told (through the outbox, in this transaction)."""
    pending = uow.session.scalars(
        select(DateChangeRequest).where(
            DateChangeRequest.action_id == action.id, DateChangeRequest.state == "pending"
        )
    ).all()
    if not pending:
        return
    for request in pending:
        request.state = CLOSED
        request.decided_at = now
        request.decided_by_id = actor.person_id
        outbox.enqueue_date_change(uow, request, now)
    uow.session.flush()


def _recent_same_update(
    uow: UnitOfWork,
    author_id: int,
    action: Action,
    now: dt.datetime,
    status: Status | None,
    note: str | None,
    evidence: str | None,
    impact: Impact | None = None,
) -> ProgressUpdate | None:
    """Their latest update on the action in the last few minutes, when it said the same: a
    retry after Slack showed a timeout, or a reply typed again. An update that says something
    else in between (amber, green, then amber again) makes the third a real change."""
    latest = uow.session.scalar(
        select(ProgressUpdate)
        .where(
            ProgressUpdate.action_id == action.id,
            ProgressUpdate.author_id == author_id,
            ProgressUpdate.at >= now - REPEAT_WINDOW,
        )
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )
    if latest is None:
        return None
    said = (latest.note, latest.evidence, latest.impact)
    if said != (note, evidence, impact.value if impact is not None else None):
        return None
    return latest if status is None or latest.status == status.value else None


def approver_standing(uow: UnitOfWork, actor: Actor, board: Board) -> Standing:
    """Chairs approve; on a board with no chair yet, its admins stand in."""
    found = standing(uow, actor, board.id)
    if board.chair_id is None and found.admin:
        return Standing(chair=True)
    return found


def request_date_change(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    new_due: dt.date,
    reason: str,
    now: dt.datetime,
    *,
    new_precision: str = "day",
    source: str = "command",
    dedupe_key: str | None = None,
) -> DateChangeRequest:
    """Ask the board for a new due date; a request still pending for the action is withdrawn.

    The same Slack request seen again (`dedupe_key`) returns the request it made, asking
    nothing twice."""
    check_may_update(uow, actor, action, now)
    lock_action(uow, action)
    seen = _seen(uow, DateChangeRequest, dedupe_key)
    if seen is not None:
        return seen
    reason = reason.strip()
    if not reason:
        raise UserError(
            f"Give the board a reason: `/progress {action.ref} date 30/06/2019 survey moved`."
        )
    if new_due == action.due_date:
        raise UserError(f"{action.ref} is already due on that date.")
    pending = uow.session.scalar(
        select(DateChangeRequest).where(
            DateChangeRequest.action_id == action.id, DateChangeRequest.state == "pending"
        )
    )
    if pending is not None:
        # A fresh request replaces one the chair has not looked at yet.
        pending.state = "withdrawn"
        pending.decided_at = now
        pending.decided_by_id = actor.person_id
        uow.session.flush()  # before the new one: one pending request per action
    request = DateChangeRequest(
        action_id=action.id,
        requested_by_id=actor.person_id,
        requested_at=now,
        old_due_date=action.due_date,
        new_due_date=new_due,
        new_due_precision=new_precision,
        reason=reason,
        state="pending",
        dedupe_key=dedupe_key,
    )
    uow.session.add(request)
    asked = ProgressUpdate(
        action_id=action.id,
        author_id=actor.person_id,
        at=now,
        status=action.status,
        previous_status=action.status,
        note=f"{DATE_REQUEST_NOTE}{reason}",
        source=source,
        new_due_date=new_due,
        due_change_reason=reason,
        dedupe_key=dedupe_key,
    )
    uow.session.add(asked)
    note_update(action, asked)
    uow.session.flush()
    outbox.enqueue_date_change(uow, request, now)  # to whoever decides, with this commit
    return request


def decide_date_change(
    uow: UnitOfWork,
    actor: Actor,
    request_id: int,
    approve: bool,
    now: dt.datetime,
    note: str | None = None,
) -> DateChangeRequest:
    request = uow.session.get(DateChangeRequest, request_id)
    if request is None or request.action.plan.board.workspace_id != actor.workspace_id:
        raise NotFound("I can't find that date change. `/board approve` lists the pending ones.")
    board = request.action.plan.board
    check(Permission.APPROVE_DATE, approver_standing(uow, actor, board))
    lock_action(uow, request.action)
    uow.session.refresh(request)  # decided by someone else while we waited?
    if request.state == CLOSED:
        raise Conflict(
            f"That request closed when {request.action.ref} was marked complete; "
            "there is nothing to decide."
        )
    if request.state != "pending":
        raise Conflict(f"That request was already {request.state}.")
    request.state = "approved" if approve else "declined"
    request.decided_by_id = actor.person_id
    request.decided_at = now
    request.decision_note = (note or "").strip() or None
    action = request.action
    if approve:
        if action.original_due_date is None:
            action.original_due_date = action.due_date
        action.due_date = request.new_due_date
        action.due_precision = request.new_due_precision
        action.date_changes += 1
    audit(
        uow,
        actor,
        now,
        f"date_change.{request.state}",
        "action",
        action.id,
        {"due": request.old_due_date.isoformat() if request.old_due_date else None},
        {"due": request.new_due_date.isoformat(), "state": request.state},
    )
    uow.session.flush()
    outbox.enqueue_date_change(uow, request, now)  # to whoever asked, with this commit
    return request


def pending_date_changes(uow: UnitOfWork, board_id: int) -> list[DateChangeRequest]:
    return list(
        uow.session.scalars(
            select(DateChangeRequest)
            .join(Action, Action.id == DateChangeRequest.action_id)
            .join(Plan, Plan.id == Action.plan_id)
            .where(Plan.board_id == board_id, DateChangeRequest.state == "pending")
            .order_by(DateChangeRequest.requested_at)
        )
    )


# ---------------------------------------------------------------- the owners' use cases

# The owners' use cases build on bot.services.owner, which builds on the functions above:
# imported here, below them, so that either module may be imported first.
from bot.services import owner, privacy  # noqa: E402


@dataclass(frozen=True)
class ThreadReply:
    """A reply in a DM thread: whether the thread is a reminder's, and what was recorded
    (None also when a concurrent delivery of the same event recorded it)."""

    in_reminder_thread: bool
    recorded: Recorded | None = None


class ProgressService(UseCases):
    """What owners do: list their actions, record updates, ask for new dates (DESIGN §4
    `/progress`, the buttons and forms, replies in reminder threads, the Home tab)."""

    def mine(self, actor: Actor, now: dt.datetime) -> list[MyAction]:
        with self.units.request() as uow:
            return owner.my_open_actions(uow, actor, now)

    def record(
        self,
        actor: Actor,
        ref: str,
        now: dt.datetime,
        *,
        status: Status | None,
        note: str | None,
        impact: Impact | None = None,
        evidence: str | None = None,
        dedupe_key: str | None = None,
    ) -> Recorded:
        """`/progress <ref> <status> <note>`: an update on my action of that ref (with an
        impact judgement and evidence of impact, when given)."""

        at_once = self.units.written(
            lambda connection: record_mine_at_once(
                connection,
                actor,
                ref,
                now,
                status=status,
                note=note,
                evidence=evidence,
                impact=impact,
                dedupe_key=dedupe_key,
            )
        )
        if at_once is not None:
            return at_once

        def work(uow: UnitOfWork) -> Recorded:
            action = owner.my_action(uow, actor, ref)
            result = record_progress(
                uow,
                actor,
                action,
                now,
                source="command",
                status=status,
                note=note,
                impact=impact,
                evidence=evidence,
                dedupe_key=dedupe_key,
            )
            return owner.recorded(action, result)

        return self.units.committed(work)

    def complete(
        self, actor: Actor, action_id: int, now: dt.datetime, dedupe_key: str | None = None
    ) -> Recorded:
        """The Mark complete button."""
        return self.units.committed(
            lambda uow: owner.complete_action(uow, actor, action_id, now, dedupe_key)
        )

    def update_from_form(
        self,
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
        return self.units.committed(
            lambda uow: owner.update_from_form(
                uow,
                actor,
                action_id,
                now,
                status=status,
                note=note,
                evidence=evidence,
                impact=impact,
                dedupe_key=dedupe_key,
            )
        )

    def update_form(
        self,
        actor: Actor,
        now: dt.datetime,
        *,
        action_id: int | None = None,
        ref: str | None = None,
    ) -> UpdateForm:
        """The update form, on one action (by id, or by my ref) or on a choice of mine."""
        with self.units.request() as uow:
            if ref is not None:
                action_id = owner.my_action(uow, actor, ref).id
            return owner.update_form(uow, actor, now, action_id)

    def measures(self, actor: Actor, action_id: int) -> Measures:
        """An action's measures in full (the forms and reminders show them trimmed)."""
        with self.units.request() as uow:
            return owner.measures_of(uow, actor, action_id)

    def date_form(self, actor: Actor, action_id: int, now: dt.datetime) -> MyAction:
        with self.units.request() as uow:
            return owner.date_form(uow, actor, action_id, now)

    def ask_for_new_date(
        self,
        actor: Actor,
        new_due: dt.date,
        reason: str,
        now: dt.datetime,
        *,
        ref: str | None = None,
        action_id: int | None = None,
        precision: str = "day",
        source: str = "command",
        dedupe_key: str | None = None,
    ) -> DateChangeNotice:
        """Ask the board to move my action's (by ref, or by id) due date; the request as
        its messages describe it (`.request_id` for announcing it)."""

        def work(uow: UnitOfWork) -> DateChangeNotice:
            if ref is not None:
                action = owner.my_action(uow, actor, ref)
            elif action_id is not None:
                action = owner.action_by_id(uow, actor, action_id)
            else:
                raise UserError("That form no longer works. Use the button again.")
            request_id = owner.ask_for_new_date(
                uow,
                actor,
                action,
                new_due,
                reason,
                now,
                precision=precision,
                source=source,
                dedupe_key=dedupe_key,
            )
            return owner.date_change_notice(uow, request_id)

        return self.units.committed(work)

    def record_anyway(self, actor: Actor, held_id: int, now: dt.datetime) -> Recorded:
        """Record anyway: an update held because its text was flagged, confirmed by its author
        (audited with who and when, never the text)."""

        def work(uow: UnitOfWork) -> Recorded:
            held = privacy.take_held(uow, actor, held_id, now)
            action = owner.action_by_id(uow, actor, held.action_id)
            result = record_progress(
                uow,
                actor,
                action,
                now,
                source=held.source,
                status=Status(held.status) if held.status else None,
                note=held.note,
                evidence=held.evidence,
                dedupe_key=held.dedupe_key,
                confirmed=True,
            )
            return owner.recorded(action, result)

        return self.units.committed(work)

    def thread_reply(
        self,
        actor: Actor,
        channel: str,
        thread_ts: str,
        text: str,
        now: dt.datetime,
        *,
        dedupe_key: str,
    ) -> ThreadReply:
        """A reply in the thread of a reminder DM, recorded as an update on its action."""
        try:
            with self.units.request() as uow:
                thread = owner.find_reminder_thread(uow, actor.workspace_id, channel, thread_ts)
                if thread is None:
                    return ThreadReply(in_reminder_thread=False)
                recorded = owner.record_thread_reply(
                    uow, actor, thread, text, now, dedupe_key=dedupe_key
                )
                uow.commit()
        except IntegrityError:
            # The same event delivered twice at once on PostgreSQL: both passed the duplicate
            # check and the unique dedupe key stopped the second. (SQLite serialises writers.)
            log.info("thread reply %s was recorded by a concurrent delivery", dedupe_key)
            return ThreadReply(in_reminder_thread=True)
        return ThreadReply(in_reminder_thread=True, recorded=recorded)
