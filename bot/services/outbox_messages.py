"""What each message in the outbox says, read fresh from the database when it is delivered.

`compose` turns a ledger row into a plain read model (a reminder's lines, a digest, a pack,
a date-change notice, an alert); `bot.render.outbox` makes Slack messages of it. Reading at
delivery rather than at enqueue means a message says how things stand when it goes out: a
status changed since 09:00, a request decided before its DM left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.core.calendar import calendar_for, local_date
from bot.core.deadlines import countdown
from bot.core.digest import Digest, Pack
from bot.core.reminders import COVER_NOTICE, DEADLINE
from bot.services.challenges import ChallengeMessage, challenge_message
from bot.services.deadlines import as_deadline
from bot.services.digest import build_digest
from bot.services.outbox import (
    CHALLENGE,
    DATE_CHANGE_CLOSED,
    DATE_CHANGE_DECISION,
    DATE_CHANGE_REQUEST,
    Claimed,
    ReminderLine,
    claimed,
    reminder_lines,
    sent_messages,
)
from bot.services.owner import DateChangeNotice, date_change_notice, withdrawn_requests
from bot.services.paper import BoardPaper, build_paper
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.models import Absence as AbsenceRow
from db.models import Board, Notification, Person, Plan, StatutoryDeadline

Sent = tuple[str, str]  # (channel, ts) of a message the bot posted earlier


@dataclass(frozen=True)
class ReminderMessage:
    """A reminder (or escalation): its actions as they stand now."""

    lines: list[ReminderLine]
    escalation: bool
    note: str | None = None


@dataclass(frozen=True)
class DigestMessage:
    """The weekly digest of a board."""

    digest: Digest


@dataclass(frozen=True)
class PackMessage:
    """The pack before a board meeting."""

    pack: Pack
    meeting: dt.date
    snapshots: list[dict[str, Any]]  # the board's active plans, attached as spreadsheets
    paper: BoardPaper | None = None  # the committee paper, attached as .docx with its charts


@dataclass(frozen=True)
class DateChangeMessage:
    """A message about a date-change request, and the earlier ones to bring up to date."""

    kind: str  # DATE_CHANGE_REQUEST, DATE_CHANGE_DECISION or DATE_CHANGE_CLOSED
    notice: DateChangeNotice
    # What the approvers were sent about this request (shown decided once it is).
    request_messages: list[Sent] = field(default_factory=list)
    # Requests this one replaced, with what their approvers were sent.
    replaced: list[tuple[DateChangeNotice, list[Sent]]] = field(default_factory=list)
    quiet: bool = False  # nobody to tell: only the earlier messages are brought up to date


@dataclass(frozen=True)
class AlertMessage:
    """A message about someone could not be delivered (or a board could not be planned)."""

    about: str
    error: str
    kind: str


@dataclass(frozen=True)
class DeadlineMessage:
    """A deadline's countdown, at one of its reminder points, as it stands when sent."""

    board: str
    countdown: str  # "Statement of action: 10 working days left, due Friday 21 June 2019"
    working_days_left: int
    overdue: bool
    owner: str | None
    covering_for: str | None = None  # the deputy's note: whom they cover (absences)


@dataclass(frozen=True)
class CoverNoticeMessage:
    """To a deputy on the last working day before an absence: whom they will cover, from when
    to when, and when the owner is back."""

    owner: str
    start: dt.date
    end: dt.date
    back_on: dt.date


Composed = (
    ReminderMessage
    | DigestMessage
    | PackMessage
    | DateChangeMessage
    | AlertMessage
    | ChallengeMessage
    | DeadlineMessage
    | CoverNoticeMessage
)


def compose(uow: UnitOfWork, notification: Notification, now: dt.datetime) -> Composed | None:
    """What a notification says now, or None when nothing is left to say."""
    kind = notification.kind
    payload = notification.payload or {}
    board_id = notification.board_id
    if kind in ("reminder", "escalation"):
        lines = reminder_lines(uow, notification)
        return ReminderMessage(lines, kind == "escalation", payload.get("note")) if lines else None
    if kind == "digest" and board_id is not None:
        return DigestMessage(build_digest(uow, board_id, now))
    if kind == "pack" and board_id is not None:
        meeting = dt.date.fromisoformat(payload["meeting"])
        plan_ids = list(
            uow.session.scalars(
                select(Plan.id)
                .where(Plan.board_id == board_id, Plan.active.is_(True))
                .order_by(Plan.id)
            )
        )
        paper = build_paper(uow, board_id, meeting, now)
        return PackMessage(
            paper.pack, meeting, plan_snapshots(uow, plan_ids=plan_ids, now=now), paper
        )
    if kind in (DATE_CHANGE_REQUEST, DATE_CHANGE_DECISION, DATE_CHANGE_CLOSED):
        return _date_change(uow, kind, int(payload["request_id"]), bool(payload.get("quiet")))
    if kind == "alert":
        return _alert(uow, payload)
    if kind == CHALLENGE:
        return challenge_message(
            uow,
            int(payload["challenge_id"]),
            int(payload["event_id"]),
            now,
            covering_for=payload.get("covering_for"),
        )
    if kind == DEADLINE:
        return _deadline(uow, payload, now)
    if kind == COVER_NOTICE:
        return _cover_notice(uow, notification, payload)
    return None


def _cover_notice(
    uow: UnitOfWork, notification: Notification, payload: dict[str, Any]
) -> CoverNoticeMessage | None:
    """The absence as it stands (None: cancelled, or someone else covers now)."""
    row = uow.session.get(AbsenceRow, int(payload.get("absence_id") or 0))
    if row is None or row.deputy_id != notification.recipient_person_id:
        return None
    owner = uow.session.get(Person, row.person_id)
    if owner is None:
        return None
    board = uow.session.get(Board, notification.board_id) if notification.board_id else None
    calendar = calendar_for(board.region) if board is not None else calendar_for()
    return CoverNoticeMessage(
        owner.name, row.start, row.end, calendar.next_working_day(row.end, include_self=False)
    )


def _deadline(uow: UnitOfWork, payload: dict[str, Any], now: dt.datetime) -> DeadlineMessage | None:
    """The deadline's countdown now (None: it was removed since the reminder was planned)."""
    row = uow.session.get(StatutoryDeadline, int(payload.get("deadline_id") or 0))
    if row is None:
        return None
    board = row.plan.board
    counted = countdown(
        as_deadline(row), local_date(now, board.timezone), calendar_for(board.region)
    )
    owner = uow.session.get(Person, row.owner_id) if row.owner_id is not None else None
    return DeadlineMessage(
        board=board.name,
        countdown=counted.text,
        working_days_left=counted.working_days_left,
        overdue=counted.overdue,
        owner=owner.name if owner is not None else None,
        covering_for=payload.get("note"),
    )


def read_claimed(
    uow: UnitOfWork, notification_id: int, now: dt.datetime
) -> tuple[Claimed, Composed | None]:
    """A claimed notification: how to send it, and what it says now."""
    notification = uow.session.get(Notification, notification_id)
    assert notification is not None
    return claimed(uow, notification), compose(uow, notification, now)


def _date_change(uow: UnitOfWork, kind: str, request_id: int, quiet: bool) -> DateChangeMessage:
    replaced = []
    if kind == DATE_CHANGE_REQUEST:
        replaced = [
            (date_change_notice(uow, old), sent_messages(uow, DATE_CHANGE_REQUEST, old))
            for old in withdrawn_requests(uow, request_id)
        ]
    return DateChangeMessage(
        kind=kind,
        notice=date_change_notice(uow, request_id),
        request_messages=sent_messages(uow, DATE_CHANGE_REQUEST, request_id)
        if kind != DATE_CHANGE_REQUEST
        else [],
        replaced=replaced,
        quiet=quiet,
    )


def _alert(uow: UnitOfWork, payload: dict[str, Any]) -> AlertMessage:
    about = str(payload.get("about", "someone"))
    person_id = payload.get("about_person_id")
    if person_id is not None:
        person = uow.session.get(Person, person_id)
        if person is not None:
            about = person.name
    error = str(payload.get("error", "unknown"))
    return AlertMessage(about, error, str(payload.get("kind", "message")))
