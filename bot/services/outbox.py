"""The notification ledger: every message the bot starts, from enqueue to sent.

Enqueueing: `plan_due` asks the reminder rules what is due at `now` and enqueues each message
under its unique key (a key already in the ledger is skipped, so planning is idempotent and
safe with several instances); `enqueue_date_change`, `enqueue_dm` and `enqueue_admin_alert`
enqueue what a request or a failure starts, in the caller's transaction. Whatever enqueues
marks the session, and the unit of work rings the delivery doorbell once it has committed.
`preview` says what would go out without writing anything.

Delivering (scheduler.delivery drives it): `deliverable` lists what may be sent now, `claim`
takes one row atomically for a while, `remember_parts`, `mark` and `fail` record how it went.
What a message says is read when it is sent (bot.services.outbox_messages).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    false,
    func,
    null,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.types import NullType

from bot.core.absence import Absence
from bot.core.calendar import DEFAULT_TIMEZONE, local_date
from bot.core.permissions import Role
from bot.core.reminder_policy import ReminderPolicy, policy_from_overrides
from bot.core.reminders import (
    EVERY_ACTION,
    ActionFacts,
    ActionScope,
    BoardFacts,
    CoverFacts,
    DeadlineFacts,
    Message,
    PersonRef,
    actions_in_scope,
    cover_notices_due,
    deadline_messages_due,
    messages_due,
    next_send_time,
    with_cover,
)
from bot.services.cover import absences_around
from bot.services.deadlines import as_deadline
from bot.services.queries import board_cycle
from bot.services.snapshot import latest_updates
from bot.services.uow import ENQUEUED, UnitOfWork, rows_changed
from db.insert import insert_many, insert_or_ignore
from db.models import Absence as AbsenceRow
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    MeetingChange,
    Notification,
    NotificationItem,
    NotificationState,
    Person,
    Plan,
    RoleGrant,
    StatutoryDeadline,
    Theme,
    Workspace,
)

log = logging.getLogger(__name__)

State = NotificationState
PENDING = State.PENDING
SENDING = State.SENDING
SENT = State.SENT
FAILED = State.FAILED
DROPPED = State.DROPPED

DATE_CHANGE_REQUEST = "date_change_request"  # a request, DMed to whoever decides it
DATE_CHANGE_DECISION = "date_change_decision"  # the outcome, DMed to whoever asked
DATE_CHANGE_CLOSED = "date_change_closed"  # the approver hears a request closed undecided
# Messages about a request wait for delivery however long it takes; the rest belong to their
# working day and are dropped once it has passed.
CHALLENGE = "challenge"  # a board's question to the owners, or their answer to the asker
LASTING_KINDS = frozenset(
    {DATE_CHANGE_REQUEST, DATE_CHANGE_DECISION, DATE_CHANGE_CLOSED, CHALLENGE}
)


def load_facts(
    uow: UnitOfWork, board_ids: list[int] | None = None, now: dt.datetime | None = None
) -> tuple[list[BoardFacts], list[ActionFacts]]:
    """Boards and their open actions in active plans, as plain facts for the rules; with
    `now`, only the actions that may send anything at that moment (actions_in_scope)."""
    session = uow.session
    board_query = select(Board)
    if board_ids is not None:
        board_query = board_query.where(Board.id.in_(board_ids))
    boards = session.scalars(board_query.order_by(Board.id)).all()
    if not boards:
        return [], []
    ids = [b.id for b in boards]
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_([b.chair_id for b in boards if b.chair_id]))
        )
    }
    changes: dict[int, dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for change in session.scalars(select(MeetingChange).where(MeetingChange.board_id.in_(ids))):
        changes[change.board_id][change.kind].add(change.date)

    admins: dict[int, dict[int, PersonRef]] = defaultdict(dict)  # workspace -> admins
    for workspace_id, person_id, name, slack_id in session.execute(
        select(RoleGrant.workspace_id, Person.id, Person.name, Person.slack_user_id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(
            RoleGrant.workspace_id.in_({b.workspace_id for b in boards}),
            RoleGrant.role == Role.ADMIN.value,
        )
        .order_by(Person.id)
    ):
        admins[workspace_id][person_id] = PersonRef(person_id, name, slack_id)
    board_facts = [
        _board_facts(
            b, people.get(b.chair_id or -1), changes[b.id], tuple(admins[b.workspace_id].values())
        )
        for b in boards
    ]

    # One read of every open action with its owners, through Core and with the date columns
    # left as the driver gives them (ISO text on SQLite, parsed here): at 100,000 actions
    # the ORM's row handling and SQLAlchemy's date parsing cost more than the query does.
    lead = aliased(Person, name="lead")
    owner = aliased(Person, name="owner")
    last_update: Any = Action.latest_update_at
    scopes = {b.id: actions_in_scope(b, now) for b in board_facts} if now is not None else None
    if scopes is not None and EVERY_ACTION not in scopes.values():
        # Only a meeting ask reads an action's last update: not today, so not read at all.
        last_update = null()
    rows = session.connection().execute(
        select(
            Action.id,
            Action.ref,
            Plan.board_id,
            type_coerce(Action.due_date, NullType()),
            Action.status,
            lead.id,
            lead.name,
            lead.slack_user_id,
            type_coerce(last_update, NullType()),
            owner.id,
            owner.name,
            owner.slack_user_id,
        )
        .join(Plan, Plan.id == Action.plan_id)
        .join(Theme, Theme.id == Action.theme_id)
        .outerjoin(lead, lead.id == Theme.lead_id)
        .outerjoin(
            ActionAssignment,
            and_(ActionAssignment.action_id == Action.id, ActionAssignment.role == "owner"),
        )
        .outerjoin(owner, owner.id == ActionAssignment.person_id)
        .where(
            _in_scope(scopes) if scopes is not None else Plan.board_id.in_(ids),
            Plan.active.is_(True),
            Action.removed_at.is_(None),
            Action.status != "blue",
        )
        .order_by(Action.id, ActionAssignment.position)
    )
    refs: dict[int, PersonRef] = {}

    def person(person_id: int, name: str, slack_id: str | None) -> PersonRef:
        found = refs.get(person_id)
        if found is None:
            found = refs[person_id] = PersonRef(person_id, name, slack_id)
        return found

    action_facts: list[ActionFacts] = []
    previous: Any = None
    owners: list[PersonRef] = []
    for row in rows:
        if previous is not None and row[0] != previous[0]:
            action_facts.append(_action_facts(previous, owners, person))
            owners = []
        if row[9] is not None:
            owners.append(person(row[9], row[10], row[11]))
        previous = row
    if previous is not None:
        action_facts.append(_action_facts(previous, owners, person))
    return board_facts, action_facts


def _board_facts(
    board: Board,
    chair: Person | None,
    changes: dict[str, set[dt.date]],
    admins: tuple[PersonRef, ...] = (),
) -> BoardFacts:
    cycle = None
    if board.meeting_rule or changes.get("added"):
        cycle = board_cycle(board, [(d, kind) for kind, days in changes.items() for d in days])
    return BoardFacts(
        id=board.id,
        name=board.name,
        timezone=board.timezone,
        region=board.region,
        policy=policy_from_overrides(board.reminder_policy),
        chair=PersonRef(chair.id, chair.name, chair.slack_user_id) if chair else None,
        channel_id=board.channel_id,
        meetings=cycle,
        paused_until=board.paused_until,
        admins=admins,
    )


def _in_scope(scopes: dict[int, ActionScope | None]) -> Any:
    """The actions that may send anything, by board (actions_in_scope): (board in … AND
    (due_date in … OR due_date < …)) OR …, or every action of the boards on a day they ask for
    meeting updates. Boards of one region and policy share one scope."""
    by_scope: dict[ActionScope, list[int]] = defaultdict(list)
    for board_id, scope in scopes.items():
        if scope is not None:
            by_scope[scope].append(board_id)
    if not by_scope:
        return false()
    return or_(*(_scope_clause(scope, ids) for scope, ids in by_scope.items()))


def _scope_clause(scope: ActionScope, board_ids: list[int]) -> Any:
    on_board = Plan.board_id.in_(board_ids)
    if scope.every:
        return on_board
    due: ColumnElement[bool] = Action.due_date.in_(sorted(scope.due_on))
    if scope.due_before is not None:
        due = or_(due, Action.due_date < scope.due_before)
    return and_(on_board, due)


def _action_facts(
    row: Any, owners: list[PersonRef], person: Callable[[int, str, str | None], PersonRef]
) -> ActionFacts:
    action_id, ref, board_id, due, status, lead_id, lead_name, lead_slack, last = row[:9]
    return ActionFacts(
        id=action_id,
        ref=ref,
        title="",  # not read by the rules; a message reads titles when it is sent
        board_id=board_id,
        due=_date(due),
        status=status,
        owners=tuple(owners),
        theme_lead=person(lead_id, lead_name, lead_slack) if lead_id is not None else None,
        last_update_at=_aware(last),
    )


def _date(value: dt.date | str | None) -> dt.date | None:
    """A date column read through Core on SQLite may come back as its ISO text."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Aggregates bypass the column type on SQLite, so max(at) may come back naive UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def due_messages(uow: UnitOfWork, now: dt.datetime) -> list[Message]:
    return _due(uow, now, None)


def _due(uow: UnitOfWork, now: dt.datetime, board_ids: list[int] | None) -> list[Message]:
    """Reminders, escalations, papers and deadline reminders due at `now`, each DM for someone
    away sent to their deputy or to nobody (bot.core.absence.recipient_for)."""
    boards, actions = load_facts(uow, board_ids, now)
    absences, deputies = _cover_facts(uow, now)
    messages = messages_due(boards, actions, now, absences, deputies)
    deadlines = deadline_messages_due(boards, load_deadline_facts(uow, board_ids), now)
    notices = cover_notices_due(boards, _upcoming_cover(uow, now, board_ids), now, absences)
    return (
        messages + (with_cover(deadlines, absences, deputies) if absences else deadlines) + notices
    )


# Absences starting this many days ahead at most are looked at for the deputy's notice (the
# last working day before a start can be a week earlier across Easter or Christmas).
COVER_NOTICE_AHEAD = dt.timedelta(days=10)


def _upcoming_cover(
    uow: UnitOfWork, now: dt.datetime, board_ids: list[int] | None
) -> list[CoverFacts]:
    """Absences with a deputy starting in the next days, each on the first board where its
    owner owns an action in an active plan (whose calendar and send time the notice follows)."""
    today = now.date()
    owner, deputy = aliased(Person), aliased(Person)
    first_board = (
        select(func.min(Plan.board_id))
        .join(Action, Action.plan_id == Plan.id)
        .join(ActionAssignment, ActionAssignment.action_id == Action.id)
        .where(
            ActionAssignment.person_id == AbsenceRow.person_id,
            ActionAssignment.role == "owner",
            Plan.active.is_(True),
            Action.removed_at.is_(None),
        )
        .scalar_subquery()
    )
    query = (
        select(AbsenceRow, owner, deputy, first_board)
        .join(owner, owner.id == AbsenceRow.person_id)
        .join(deputy, deputy.id == AbsenceRow.deputy_id)
        .where(AbsenceRow.start > today, AbsenceRow.start <= today + COVER_NOTICE_AHEAD)
        .order_by(AbsenceRow.id)
    )
    facts = []
    for row, away, cover, board_id in uow.session.execute(query).all():
        if board_id is None or (board_ids is not None and board_id not in board_ids):
            continue
        facts.append(
            CoverFacts(
                row.id,
                board_id,
                PersonRef(away.id, away.name, away.slack_user_id),
                PersonRef(cover.id, cover.name, cover.slack_user_id),
                row.start,
                row.end,
            )
        )
    return facts


def _cover_facts(uow: UnitOfWork, now: dt.datetime) -> tuple[list[Absence], dict[int, PersonRef]]:
    """Absences around today (every board's today lies within a day of UTC's), and their
    deputies."""
    today = now.date()
    absences = absences_around(uow, today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    ids = {a.deputy for a in absences if isinstance(a.deputy, int)}
    people = uow.session.scalars(select(Person).where(Person.id.in_(ids))).all() if ids else []
    return absences, {p.id: PersonRef(p.id, p.name, p.slack_user_id) for p in people}


PLANNING_FAILED = "planning_failed"


def plan_due(uow: UnitOfWork, now: dt.datetime) -> list[str]:
    """Enqueue every message due at `now` that the ledger does not hold yet, from the boards
    whose next planning moment has come; returns the new keys.

    The boards are read with one indexed query (`Board.next_plan_at` NULL or passed), so a
    tick with nothing due costs that query whatever the database holds. Each board read gets
    its next moment (bot.core.reminders.next_send_time) before its facts are loaded, in this
    transaction: an edit committed meanwhile has either been read already or sets it back to
    NULL after this commits (bot.services.replan). A board whose moment passed while the bot
    was down is planned at the first tick after: what its day still sends goes out, earlier
    days are not planned at all (DESIGN §6).

    Inserts use ON CONFLICT DO NOTHING on the key, so two instances planning at once enqueue
    each message once. A board that cannot be planned (bad settings, a bug) stops only its own
    messages: the others are planned without it, it is tried again at the next tick, and the
    workspace's admins are told once a day. The boards due together are planned together when
    they can be, as one owner's daily reminder may gather actions from several boards.
    """
    session = uow.session
    due = boards_due(uow, now)
    if not due:
        return []
    schedule_next(uow, due, now)
    board_ids = [board.id for board in due]
    try:
        with session.begin_nested():
            return _plan(uow, now, board_ids)
    except Exception:
        log.debug("planning the due boards together failed; finding the board(s) at fault")
    healthy: list[int] = []
    for board_id in board_ids:
        try:
            with session.begin_nested() as trial:
                _plan(uow, now, [board_id])
                trial.rollback()
            healthy.append(board_id)
        except Exception as error:
            _planning_failed(uow, board_id, error, now)
            _replan_next_tick(uow, board_id)
    with session.begin_nested():
        return _plan(uow, now, healthy)


def boards_due(uow: UnitOfWork, now: dt.datetime) -> list[BoardFacts]:
    """The boards whose next planning moment has come (or is NULL: plan at the next tick),
    with what their next moment depends on: one query on the `next_plan_at` index."""
    rows = uow.session.execute(
        select(
            Board.id,
            Board.timezone,
            Board.region,
            Board.reminder_policy,
            Board.paused_until,
        ).where(or_(Board.next_plan_at.is_(None), Board.next_plan_at <= now))
    ).all()  # unordered, so that nothing tempts the database off the index
    due = []
    for board_id, timezone, region, overrides, paused_until in sorted(rows):
        try:
            policy = policy_from_overrides(overrides)
        except Exception:  # planning it finds the fault and tells the admins
            policy = ReminderPolicy()
            timezone = ""
        due.append(
            BoardFacts(board_id, "", timezone, region, policy=policy, paused_until=paused_until)
        )
    return due


def schedule_next(uow: UnitOfWork, boards: list[BoardFacts], now: dt.datetime) -> None:
    """Set each board's next planning moment, one UPDATE per distinct moment; a board whose
    moment cannot be worked out (a bad time zone) stays due."""
    by_moment: dict[dt.datetime, list[int]] = defaultdict(list)
    for board in boards:
        try:
            by_moment[next_send_time(board, now)].append(board.id)
        except Exception:
            log.debug("board %s: no next send time", board.id, exc_info=True)
    for moment, ids in by_moment.items():
        uow.session.execute(
            update(Board)
            .where(Board.id.in_(ids))
            .values(next_plan_at=moment)
            .execution_options(synchronize_session=False)
        )


def _replan_next_tick(uow: UnitOfWork, board_id: int) -> None:
    uow.session.execute(
        update(Board)
        .where(Board.id == board_id)
        .values(next_plan_at=None)
        .execution_options(synchronize_session=False)
    )


def _planning_failed(uow: UnitOfWork, board_id: int, error: Exception, now: dt.datetime) -> None:
    """Log a board's planning failure and tell its workspace's admins, once a day each."""
    board = uow.session.get(Board, board_id)
    if board is None:
        return
    today = local_date(now, board.timezone)
    with uow.session.begin_nested():
        told = enqueue_admin_alert(
            uow,
            Notification(
                workspace_id=board.workspace_id,
                board_id=board.id,
                kind="reminders",
                recipient=board.name,
                timezone=board.timezone,
                local_day=today,
            ),
            PLANNING_FAILED,
            now,
            key_suffix=today.isoformat(),
        )
    if told:
        log.error("could not plan board %s (%s)", board_id, board.name, exc_info=error)
    else:
        log.debug("board %s still cannot be planned: %s", board_id, error)


def _plan(uow: UnitOfWork, now: dt.datetime, board_ids: list[int] | None) -> list[str]:
    messages = _due(uow, now, board_ids)
    if not messages:
        return []
    session = uow.session
    workspace_of = dict(
        session.execute(
            select(Board.id, Board.workspace_id).where(
                Board.id.in_({m.board_id for m in messages if m.board_id is not None})
            )
        ).all()
    )
    person_workspace = dict(
        session.execute(
            select(Person.id, Person.workspace_id).where(
                Person.id.in_({m.recipient.person_id for m in messages if m.recipient})
            )
        ).all()
    )
    rows = []
    for message in messages:
        workspace_id = (
            workspace_of.get(message.board_id)
            if message.board_id is not None
            else person_workspace.get(message.recipient.person_id if message.recipient else -1)
        )
        rows.append(
            {
                "workspace_id": workspace_id,
                "board_id": message.board_id,
                "key": message.key,
                "kind": message.kind,
                "recipient": message.to,
                "recipient_person_id": message.recipient.person_id if message.recipient else None,
                "payload": message_payload(message),
                "timezone": getattr(message.send_at.tzinfo, "key", DEFAULT_TIMEZONE),
                "state": PENDING,
                "attempts": 0,
                "due_at": message.send_at,
                "local_day": message.day,
                "created_at": now,
                "channel": message.channel_id,
            }
        )
    by_key = {m.key: m for m in messages}
    items: list[dict[str, Any]] = []
    added: list[str] = []
    ledger = cast(Table, Notification.__table__)
    made = insert_many(
        session, ledger, rows, ignore_conflicts_on=["key"], returning=[ledger.c.id, ledger.c.key]
    )
    for new_id, key in made:
        added.append(key)
        items.extend(
            {
                "notification_id": new_id,
                "action_id": item.action_id,
                "reason": item.reason,
                "working_days": item.working_days,
                "position": position,
            }
            for position, item in enumerate(by_key[key].items)
        )
    if added:
        session.info[ENQUEUED] = True
    insert_many(session, cast(Table, NotificationItem.__table__), items)
    return added


def message_payload(message: Message) -> dict[str, Any]:
    """What a planned message says besides its actions (kept as its NotificationItems)."""
    payload: dict[str, Any] = {
        "meeting": message.meeting.isoformat() if message.meeting else None,
        "board_id": message.board_id,
        "note": message.note,
    }
    if message.deadline_id is not None:
        payload["deadline_id"] = message.deadline_id
        payload["working_days_left"] = message.working_days_left
    if message.absence_id is not None:
        payload["absence_id"] = message.absence_id
    return payload


def load_deadline_facts(uow: UnitOfWork, board_ids: list[int] | None) -> list[DeadlineFacts]:
    """The deadlines on the boards' active plans, with their owners."""
    query = (
        select(StatutoryDeadline, Plan.board_id, Person)
        .join(Plan, Plan.id == StatutoryDeadline.plan_id)
        .outerjoin(Person, Person.id == StatutoryDeadline.owner_id)
        .where(Plan.active.is_(True))
        .order_by(StatutoryDeadline.id)
    )
    if board_ids is not None:
        query = query.where(Plan.board_id.in_(board_ids))
    return [
        DeadlineFacts(
            row.id,
            board_id,
            as_deadline(row),
            PersonRef(owner.id, owner.name, owner.slack_user_id) if owner is not None else None,
        )
        for row, board_id, owner in uow.session.execute(query).all()
    ]


def preview(uow: UnitOfWork, now: dt.datetime) -> list[dict[str, Any]]:
    """What would go out at `now` (DESIGN §7 `reminders preview --json`), writing nothing.

    Messages the ledger already holds as sent are left out: they would not go out again.
    """
    messages = due_messages(uow, now)
    if not messages:
        return []
    sent = set(
        uow.session.scalars(
            select(Notification.key).where(
                Notification.key.in_([m.key for m in messages]), Notification.state == SENT
            )
        )
    )
    return [_previewed(m) for m in messages if m.key not in sent]


def _previewed(message: Message) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": message.kind,
        "to": message.to,
        "items": [
            {"action": i.action_ref, "reason": i.reason, "working_days": i.working_days}
            for i in message.items
        ],
        "key": message.key,
    }
    why = undeliverable_because(message)
    if why is not None:
        entry.update(deliverable=False, why=why)
    if message.note:
        entry["note"] = message.note
    return entry


def undeliverable_because(message: Message) -> str | None:
    """Why a message can't reach anyone as things stand (None: it can)."""
    if message.recipient is not None and not message.recipient.slack_user_id:
        return (
            f"{message.recipient.name} is not linked to Slack yet — "
            f'link them with `/plan people link "{message.recipient.name}" @user`'
        )
    if message.recipient is None and not message.channel_id:
        return "it has nobody to go to"
    return None


# ---------------------------------------------------------------- delivery ledger


def _claimable(now: dt.datetime) -> Any:
    """Pending and not held back, or being sent by a worker whose claim has lapsed."""
    lapsed = Notification.claimed_until <= now
    return or_(
        and_(Notification.state == PENDING, or_(Notification.claimed_until.is_(None), lapsed)),
        and_(Notification.state == SENDING, lapsed),
    )


def deliverable(uow: UnitOfWork, now: dt.datetime, limit: int = 200) -> list[Notification]:
    """Pending notifications whose moment has come, and sends whose claim has lapsed."""
    return list(
        uow.session.scalars(
            select(Notification)
            .where(Notification.due_at <= now, _claimable(now))
            .order_by(Notification.due_at, Notification.id)
            .limit(limit)
        )
    )


def timezone_of(notification: Notification) -> str:
    """The time zone of the board (or the bot) the message belongs to."""
    return notification.timezone or DEFAULT_TIMEZONE


def is_stale(notification: Notification, now: dt.datetime) -> bool:
    """Its working day has passed in the board's time zone: it is dropped, not sent late
    (unless it is about a date-change request, which is still worth telling)."""
    if notification.kind in LASTING_KINDS:
        return False
    return local_date(now, timezone_of(notification)) > notification.local_day


def claim(
    uow: UnitOfWork, notification_id: int, worker: str, now: dt.datetime, lease: dt.timedelta
) -> bool:
    """Atomically take a notification for sending; False if another worker has it."""
    result = uow.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, _claimable(now))
        .values(
            state=SENDING,
            claimed_by=worker,
            claimed_until=now + lease,
            attempts=Notification.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


@dataclass(frozen=True)
class Claimed:
    """A notification a worker has claimed, with what it takes to send it."""

    id: int
    key: str
    attempts: int  # this one included
    channel: str | None  # where it goes; None: a DM to dm_user, opened when it is sent
    dm_user: str | None
    parts_sent: frozenset[int]  # by an earlier attempt
    ts: str | None  # of its first part, once posted


def claimed(uow: UnitOfWork, notification: Notification) -> Claimed:
    dm_user = None
    if notification.channel is None and notification.recipient_person_id is not None:
        person = uow.session.get(Person, notification.recipient_person_id)
        dm_user = person.slack_user_id if person else None
    return Claimed(
        id=notification.id,
        key=notification.key,
        attempts=notification.attempts,
        channel=notification.channel,
        dm_user=dm_user,
        parts_sent=frozenset(notification.parts_sent or ()),
        ts=notification.ts,
    )


def remember_parts(
    uow: UnitOfWork, notification_id: int, parts: set[int], first_ts: str | None
) -> None:
    """The parts of a long message posted so far (and its first part's ts), so that a retry
    posts only the rest."""
    values: dict[str, Any] = {"parts_sent": sorted(parts)}
    if first_ts:
        values["ts"] = func.coalesce(Notification.ts, first_ts)
    uow.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def fail(uow: UnitOfWork, notification_id: int, error: str, now: dt.datetime) -> None:
    """Slack will never take it: failed, and the workspace's admins told (unless it is itself
    such an alert)."""
    notification = uow.session.get(Notification, notification_id)
    assert notification is not None
    mark(uow, notification_id, FAILED, now, error=error)
    if notification.kind != "alert":
        enqueue_admin_alert(uow, notification, error, now)


def mark(
    uow: UnitOfWork,
    notification_id: int,
    state: State,
    now: dt.datetime,
    *,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
    retry_at: dt.datetime | None = None,
) -> None:
    values: dict[str, Any] = {"state": state}
    if state == SENT:
        values.update(sent_at=now, claimed_until=None, error=None)
    if channel is not None:
        values["channel"] = channel
    if ts is not None:
        values["ts"] = ts
    if error is not None:
        values["error"] = error[:2000]
    if retry_at is not None:
        values["claimed_until"] = retry_at
    uow.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def release(uow: UnitOfWork, notification_id: int, error: str) -> None:
    """Give a claimed notification back untouched: pending, and this try not counted."""
    uow.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(
            state=PENDING,
            claimed_until=None,
            attempts=Notification.attempts - 1,
            error=error[:2000],
        )
        .execution_options(synchronize_session=False)
    )


def _enqueue(uow: UnitOfWork, **values: Any) -> int | None:
    """Put one message in the ledger, pending and due at once unless told otherwise; its id,
    or None when its key is already there. The commit rings the delivery doorbell."""
    now = values["created_at"]
    row = {"state": State.PENDING, "attempts": 0, "due_at": now, **values}
    statement = (
        insert_or_ignore(uow.session, Notification, "key").values(**row).returning(Notification.id)
    )
    notification_id: int | None = uow.session.scalar(statement)
    if notification_id is not None:
        uow.session.info[ENQUEUED] = True
    return notification_id


def enqueue_admin_alert(
    uow: UnitOfWork,
    notification: Notification,
    error: str,
    now: dt.datetime,
    *,
    key_suffix: str = "",
) -> int:
    """Tell each linked admin of the workspace, once per recipient and error (and suffix), that
    a message could not be delivered."""
    added = 0
    for admin in admins_of(uow, notification.workspace_id, linked=True):
        person_id, slack_id = admin.id, admin.slack_user_id
        # Bounded to the key's column: a recipient is at most a name, an error a short code.
        key = f"alert:{notification.recipient}:{error[:64]}:person:{person_id}"
        if key_suffix:
            key += f":{key_suffix}"
        added += (
            _enqueue(
                uow,
                workspace_id=notification.workspace_id,
                board_id=notification.board_id,
                key=key,
                kind="alert",
                recipient=slack_id,
                recipient_person_id=person_id,
                payload={
                    "about": notification.recipient,
                    "about_person_id": notification.recipient_person_id,
                    "error": error,
                    "kind": notification.kind,
                },
                timezone=timezone_of(notification),
                local_day=notification.local_day,
                created_at=now,
            )
            is not None
        )
    return added


def enqueue_dm(
    uow: UnitOfWork,
    *,
    workspace_id: int,
    board_id: int | None,
    kind: str,
    key: str,
    person_id: int | None,
    slack_user_id: str | None,
    payload: dict[str, Any],
    timezone: str,
    now: dt.datetime,
) -> bool:
    """Put a DM the bot starts in the ledger, to go out with the next delivery; False when the
    key is already there."""
    return (
        _enqueue(
            uow,
            workspace_id=workspace_id,
            board_id=board_id,
            key=key,
            kind=kind,
            recipient=slack_user_id or f"person:{person_id}",
            recipient_person_id=person_id,
            payload=payload,
            timezone=timezone,
            local_day=local_date(now, timezone),
            created_at=now,
        )
        is not None
    )


# ---------------------------------------------------------------- date changes

DECIDED = ("approved", "declined")


def admins_of(
    uow: UnitOfWork, workspace_id: int, *, linked: bool = False, workspace_wide: bool = False
) -> list[Person]:
    """A workspace's admins (those linked to Slack; those not limited to one board)."""
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.workspace_id == workspace_id, RoleGrant.role == Role.ADMIN.value)
        .order_by(Person.id)
    )
    if linked:
        query = query.where(Person.slack_user_id.is_not(None))
    if workspace_wide:
        query = query.where(RoleGrant.board_id.is_(None))
    return list(uow.session.scalars(query).unique())


def approvers(uow: UnitOfWork, board: Board) -> list[Person]:
    """Whoever decides a board's date changes: its chair; with no chair, the workspace's
    admins."""
    if board.chair is not None:
        return [board.chair]
    return admins_of(uow, board.workspace_id, workspace_wide=True)


def date_change_key(kind: str, request_id: int, person_id: int | None) -> str:
    return f"{kind}:{request_id}:person:{person_id}"


def enqueue_date_change(uow: UnitOfWork, request: DateChangeRequest, now: dt.datetime) -> None:
    """The messages a date-change request's new state calls for, in the transaction that set
    it: a pending request goes to whoever decides it, a decision to whoever asked, a closed
    request to whoever would have decided it. Each is rendered when it is delivered, so it
    says how things stand then; a key already in the ledger is not enqueued again.

    People not linked to Slack are left out of requests and decisions (a decision still goes
    in the ledger, quietly, to bring the approvers' messages up to date); a closed request
    goes to them anyway, and failing to reach them alerts the admins."""
    board = request.action.plan.board
    payload: dict[str, Any] = {"request_id": request.id}
    people: list[tuple[int | None, str | None]] = [
        (p.id, p.slack_user_id) for p in approvers(uow, board)
    ]
    if request.state == "pending":
        kind = DATE_CHANGE_REQUEST
        if not people:
            log.warning("date change %s: board %s has no chair or admin", request.id, board.name)
    elif request.state in DECIDED:
        asker = request.requested_by
        kind = DATE_CHANGE_DECISION
        people = [(asker.id, asker.slack_user_id) if asker is not None else (None, None)]
        if not people[0][1]:
            payload["quiet"] = True
    elif request.state == "closed":
        kind = DATE_CHANGE_CLOSED
    else:
        return
    for person_id, slack_user_id in people:
        if kind == DATE_CHANGE_REQUEST and not slack_user_id:
            log.warning("date change %s: person %s has no Slack user", request.id, person_id)
            continue
        enqueue_dm(
            uow,
            workspace_id=board.workspace_id,
            board_id=board.id,
            kind=kind,
            key=date_change_key(kind, request.id, person_id),
            person_id=person_id,
            slack_user_id=slack_user_id,
            payload=payload,
            timezone=board.timezone,
            now=now,
        )


def sent_messages(uow: UnitOfWork, kind: str, request_id: int) -> list[tuple[str, str]]:
    """(channel, ts) of every message of this kind sent about a request."""
    rows = uow.session.execute(
        select(Notification.channel, Notification.ts)
        .where(
            Notification.kind == kind,
            Notification.key.like(f"{kind}:{request_id}:person:%"),
            Notification.state == State.SENT,
            Notification.channel.is_not(None),
            Notification.ts.is_not(None),
        )
        .order_by(Notification.id)
    ).all()
    return [(channel, ts) for channel, ts in rows if channel and ts]


@dataclass(frozen=True)
class ReminderLine:
    """One action in a reminder DM, as it stands when the DM is sent."""

    action_id: int
    ref: str
    title: str
    due: str | None  # ISO date
    due_precision: str
    status: str
    reason: str
    working_days: int | None
    last_update_note: str | None
    last_update_at: dt.datetime | None  # aware
    owner_names: tuple[str, ...] = ()
    timezone: str = DEFAULT_TIMEZONE  # the board's: says which day the last update was on
    measures: str | None = None  # how the action's progress and impact are measured


def reminder_lines(uow: UnitOfWork, notification: Notification) -> list[ReminderLine]:
    """The actions a reminder speaks about, read fresh (a status may have changed since 09:00).

    Actions completed or removed since the message was planned are left out."""
    items = uow.session.scalars(
        select(NotificationItem)
        .where(NotificationItem.notification_id == notification.id)
        .order_by(NotificationItem.position, NotificationItem.action_id, NotificationItem.reason)
    ).all()
    ids = [item.action_id for item in items]
    if not ids:
        return []
    actions = {
        a.id: a
        for a in uow.session.scalars(
            select(Action).where(Action.id.in_(ids), Action.removed_at.is_(None))
        )
    }
    latest = latest_updates(uow, action_ids=ids)
    owners: dict[int, list[str]] = defaultdict(list)
    for action_id, name in uow.session.execute(
        select(ActionAssignment.action_id, Person.name)
        .join(Person, Person.id == ActionAssignment.person_id)
        .where(ActionAssignment.action_id.in_(ids), ActionAssignment.role == "owner")
        .order_by(ActionAssignment.action_id, ActionAssignment.position)
    ):
        owners[action_id].append(name)
    lines = []
    for item in items:
        action = actions.get(item.action_id)
        if action is None or action.status == "blue":
            continue
        last = latest.get(action.id)
        lines.append(
            ReminderLine(
                action_id=action.id,
                ref=action.ref,
                title=action.title,
                due=action.due_date.isoformat() if action.due_date else None,
                due_precision=action.due_precision,
                status=action.status,
                reason=item.reason,
                working_days=item.working_days,
                last_update_note=last.note if last else None,
                last_update_at=_aware(last.at) if last else None,
                owner_names=tuple(owners[action.id]),
                timezone=timezone_of(notification),
                measures=action.measures or None,
            )
        )
    return lines


def team_ids(uow: UnitOfWork, workspace_ids: set[int | None]) -> dict[int | None, str]:
    """Each workspace's Slack team id: whose rate limits (and client) its messages use."""
    ids = {w for w in workspace_ids if w is not None}
    if not ids:
        return {}
    rows = uow.session.execute(select(Workspace.id, Workspace.team_id).where(Workspace.id.in_(ids)))
    return {workspace_id: team_id for workspace_id, team_id in rows}
