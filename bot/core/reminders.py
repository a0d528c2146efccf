"""Which messages a board sends on a given working day (DESIGN §6). Pure: facts and a day in,
messages out; no database, no clock, no Slack.

One owner gets at most one reminder DM a day: everything due for them that day is batched
into it. Every message has a ledger key naming its recipient and its day (or week, or
meeting), so it is sent at most once however often the rules are evaluated.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from bot.core.absence import Absence, CoverKind, recipient_for
from bot.core.calendar import DEFAULT_TIMEZONE, WorkingCalendar, at_local, calendar_for, local_date
from bot.core.deadlines import Deadline, deadline_reminders_due
from bot.core.meetings import MeetingCycle
from bot.core.refs import ref_key
from bot.core.reminder_policy import ReminderPolicy

REMINDER = "reminder"
ESCALATION = "escalation"
DIGEST = "digest"
PACK = "pack"

DUE_SOON = "due_soon"
OVERDUE = "overdue"
ESCALATED = "escalation"
MEETING_WINDOW = "meeting_window"
MEETING_LAST_CALL = "meeting_last_call"


@dataclass(frozen=True)
class PersonRef:
    person_id: int
    name: str
    slack_user_id: str | None = None

    @property
    def address(self) -> str:
        """Where a DM goes: the Slack user, or the person's name while they are unlinked."""
        return self.slack_user_id or self.name


@dataclass(frozen=True)
class BoardFacts:
    id: int
    name: str
    timezone: str = DEFAULT_TIMEZONE
    region: str = "ENG"
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)
    chair: PersonRef | None = None
    channel_id: str | None = None
    meetings: MeetingCycle | None = None
    paused_until: dt.date | None = None
    admins: tuple[PersonRef, ...] = ()  # who hears an escalation nobody chairs or leads


@dataclass(frozen=True)
class ActionFacts:
    id: int
    ref: str
    title: str
    board_id: int
    due: dt.date | None
    status: str
    owners: tuple[PersonRef, ...]
    theme_lead: PersonRef | None = None
    last_update_at: dt.datetime | None = None


@dataclass(frozen=True)
class Item:
    action_id: int
    action_ref: str
    reason: str
    working_days: int | None


@dataclass(frozen=True)
class Message:
    kind: str  # reminder | escalation | digest | pack
    key: str
    board_id: int | None
    recipient: PersonRef | None  # a person, or None for the board channel
    channel_id: str | None  # the board channel, for channel messages
    day: dt.date  # the board-local working day it belongs to
    send_at: dt.datetime  # aware
    items: tuple[Item, ...] = ()
    meeting: dt.date | None = None
    note: str | None = None  # why it goes where it goes, when that is not the usual place
    deadline_id: int | None = None  # a deadline reminder: which deadline
    working_days_left: int | None = None  # …at which of its points (20, 10, 5, 0)
    absence_id: int | None = None  # a deputy's notice that their cover starts: which absence

    @property
    def to(self) -> str:
        if self.recipient is not None:
            return self.recipient.address
        return self.channel_id or ""


def is_paused(board: BoardFacts, day: dt.date) -> bool:
    return board.paused_until is not None and day <= board.paused_until


def send_time(board: BoardFacts, day: dt.date) -> dt.datetime:
    return at_local(day, board.policy.send_at, board.timezone)


def next_send_time(board: BoardFacts, now: dt.datetime) -> dt.datetime:
    """The first moment after `now` at which planning `board` could enqueue anything: its send
    time on its next working day (of its region's calendar) that is not paused.

    Every message a board sends — reminders, escalations, meeting-window and last-call asks,
    digest, pack, deadline reminders — goes out at its send time on a working day, so no
    meeting milestone or due date can come earlier. Planning at `now` covers the send time
    of its local day once that has come (`messages_due`); this is the one after. Wall-clock
    time in the board's zone: 09:00 is 08:00 UTC in summer and 09:00 UTC in winter.
    """
    calendar = calendar_for(board.region)
    day = local_date(now, board.timezone)
    if board.paused_until is not None and day <= board.paused_until:
        day = board.paused_until + dt.timedelta(days=1)
    while True:
        day = calendar.next_working_day(day)
        at = send_time(board, day)
        if at > now:
            return at
        day += dt.timedelta(days=1)


def board_messages(
    board: BoardFacts, actions: Iterable[ActionFacts], day: dt.date
) -> list[Message]:
    """Every message one board sends on `day` (a board-local date), before batching DMs.

    Reminder and escalation messages here carry one item each; `batch` merges them into one
    message per recipient per day.
    """
    calendar = calendar_for(board.region)
    if not calendar.is_working_day(day) or is_paused(board, day):
        return []
    policy = board.policy
    at = send_time(board, day)
    open_actions = [a for a in actions if a.status != "blue" and a.board_id == board.id]
    messages: list[Message] = []

    for action in open_actions:
        for item in _due_items(calendar, policy, action, day):
            for owner in action.owners:
                messages.append(_dm(REMINDER, board, owner, day, at, item))
            if item.reason == OVERDUE and item.working_days == policy.escalate:
                escalation = Item(action.id, action.ref, ESCALATED, item.working_days)
                messages.extend(_escalations(board, action, day, at, escalation))

    meeting_items = _meeting_items(calendar, board, open_actions, day)
    for action, item in meeting_items:
        for owner in action.owners:
            messages.append(_dm(REMINDER, board, owner, day, at, item))

    messages.extend(_board_papers(calendar, board, day, at))
    return messages


NOBODY_TO_ESCALATE_TO = (
    "the board has no chair or theme lead for this action, so it goes to the board's "
    "admins and channel"
)


def _escalations(
    board: BoardFacts, action: ActionFacts, day: dt.date, at: dt.datetime, item: Item
) -> list[Message]:
    """To the theme lead and the chair; with neither, to the board's admins and channel."""
    people = _unique([action.theme_lead, board.chair])
    if people:
        return [_dm(ESCALATION, board, person, day, at, item) for person in people]
    note = NOBODY_TO_ESCALATE_TO
    out = [
        replace(_dm(ESCALATION, board, person, day, at, item), note=note) for person in board.admins
    ]
    if board.channel_id:
        key = f"{ESCALATION}:{board.id}:channel:{board.channel_id}:{day.isoformat()}"
        out.append(_message(ESCALATION, board, key, day, at, items=(item,), note=note))
    return out


def _due_items(
    calendar: WorkingCalendar, policy: ReminderPolicy, action: ActionFacts, day: dt.date
) -> list[Item]:
    if action.due is None:
        return []
    if day <= action.due:
        left = calendar.working_days_between(day, action.due)
        if left in policy.due:
            return [Item(action.id, action.ref, DUE_SOON, left)]
        return []
    late = calendar.working_days_between(action.due, day)
    if late > 0 and late % policy.overdue == 0:
        return [Item(action.id, action.ref, OVERDUE, late)]
    return []


# How far back planning works out which overdue actions send today; an action overdue longer
# than this is read anyway (and the rules say whether it sends).
OVERDUE_LOOKBACK = dt.timedelta(days=366)


@dataclass(frozen=True)
class ActionScope:
    """Which of a board's open actions may send anything when it is planned (actions_in_scope):
    every one, dated or not (`every`), or those due on one of `due_on` or before `due_before`."""

    every: bool = False
    due_on: frozenset[dt.date] = frozenset()
    due_before: dt.date | None = None

    def includes(self, due: dt.date | None) -> bool:
        if self.every:
            return True
        if due is None:
            return False
        return due in self.due_on or (self.due_before is not None and due < self.due_before)


EVERY_ACTION = ActionScope(every=True)


def actions_in_scope(board: BoardFacts, now: dt.datetime) -> ActionScope | None:
    """Which of the board's open actions may send anything when it is planned at `now`:
    EVERY_ACTION (dated or not) on a day it asks owners for meeting updates; otherwise those
    due on a day that makes them due soon or overdue today (_due_items), or overdue longer than
    OVERDUE_LOOKBACK; None when its send time has not come today, or today sends nothing (a
    weekend, a bank holiday, a pause). Planning reads no more actions than this says.
    """
    day = local_date(now, board.timezone)
    if now < send_time(board, day):
        return None
    calendar = calendar_for(board.region)
    if not calendar.is_working_day(day) or is_paused(board, day):
        return None
    if _meeting_asks(calendar, board, day):
        return EVERY_ACTION
    return _sending_due_dates(board.region, day, board.policy.due, board.policy.overdue)


@functools.lru_cache(maxsize=256)
def _sending_due_dates(
    region: str, day: dt.date, due: tuple[int, ...], overdue: int
) -> ActionScope:
    """The due dates from which _due_items makes an item on `day`, worked out day by day back
    to OVERDUE_LOOKBACK; an action due later than the last of them is more working days away
    than any due-soon point. The same for every board of a region and policy."""
    calendar = calendar_for(region)
    policy = ReminderPolicy(due=due, overdue=overdue)
    furthest = calendar.add_working_days(day, max(due, default=0) + 1) - dt.timedelta(days=1)
    earliest = day - OVERDUE_LOOKBACK
    sending = set()
    candidate = earliest
    while candidate <= furthest:
        probe = ActionFacts(0, "", "", 0, candidate, "", ())
        if _due_items(calendar, policy, probe, day):
            sending.add(candidate)
        candidate += dt.timedelta(days=1)
    return ActionScope(due_on=frozenset(sending), due_before=earliest)


def _meeting_asks(
    calendar: WorkingCalendar, board: BoardFacts, day: dt.date
) -> list[tuple[dt.date, str, int]]:
    """The meetings whose update window opens on `day`, or whose last call it is: (meeting,
    reason, working days before it)."""
    cycle = board.meetings
    if cycle is None:
        return []
    policy = board.policy
    horizon = calendar.add_working_days(day, policy.window + 1) + dt.timedelta(days=7)
    asks = []
    for meeting in cycle.occurrences(day, horizon):
        before = calendar.working_days_between(day, meeting)
        if before == policy.window:
            asks.append((meeting, MEETING_WINDOW, before))
        elif before == policy.updates_due + policy.last_call:
            asks.append((meeting, MEETING_LAST_CALL, before))
    return asks


def _meeting_items(
    calendar: WorkingCalendar, board: BoardFacts, actions: list[ActionFacts], day: dt.date
) -> list[tuple[ActionFacts, Item]]:
    """Owners asked for updates when the window opens and once more before they're due."""
    cycle = board.meetings
    if cycle is None:
        return []
    policy = board.policy
    found: list[tuple[ActionFacts, Item]] = []
    for meeting, reason, before in _meeting_asks(calendar, board, day):
        previous = cycle.previous_meeting(meeting)
        since = (
            cycle.meeting_datetime(previous)
            if previous is not None
            else at_local(meeting - dt.timedelta(days=policy.stale), dt.time(0), board.timezone)
        )
        left_until_due = before - policy.updates_due
        for action in actions:
            if action.last_update_at is not None and action.last_update_at >= since:
                continue
            found.append((action, Item(action.id, action.ref, reason, left_until_due)))
    return found


def _board_papers(
    calendar: WorkingCalendar, board: BoardFacts, day: dt.date, at: dt.datetime
) -> list[Message]:
    """The weekly digest and the pre-meeting pack, to the chair and the board channel."""
    papers: list[Message] = []
    monday = day - dt.timedelta(days=day.weekday())
    if calendar.next_working_day(monday) == day:
        week = day.isocalendar()
        papers.extend(
            _to_chair_and_channel(DIGEST, board, day, at, f"{week.year}-W{week.week:02d}")
        )
    if board.meetings is not None:
        horizon = calendar.add_working_days(day, board.policy.pack + 1) + dt.timedelta(days=7)
        for meeting in board.meetings.occurrences(day, horizon):
            if calendar.working_days_between(day, meeting) == board.policy.pack:
                papers.extend(
                    _to_chair_and_channel(PACK, board, day, at, meeting.isoformat(), meeting)
                )
    return papers


def _to_chair_and_channel(
    kind: str,
    board: BoardFacts,
    day: dt.date,
    at: dt.datetime,
    period: str,
    meeting: dt.date | None = None,
) -> list[Message]:
    out = []
    if board.chair is not None:
        key = f"{kind}:{board.id}:{period}:person:{board.chair.person_id}"
        out.append(_message(kind, board, key, day, at, board.chair, meeting=meeting))
    if board.channel_id:
        key = f"{kind}:{board.id}:{period}:channel:{board.channel_id}"
        out.append(_message(kind, board, key, day, at, meeting=meeting))
    return out


def _dm(
    kind: str, board: BoardFacts, person: PersonRef, day: dt.date, at: dt.datetime, item: Item
) -> Message:
    key = dm_key(kind, person.person_id, day)
    return _message(kind, board, key, day, at, person, items=(item,))


def _message(
    kind: str,
    board: BoardFacts,
    key: str,
    day: dt.date,
    at: dt.datetime,
    recipient: PersonRef | None = None,
    *,
    items: tuple[Item, ...] = (),
    meeting: dt.date | None = None,
    note: str | None = None,
) -> Message:
    """A board's message to `recipient`, or to the board's channel when there is none."""
    return Message(
        kind=kind,
        key=key,
        board_id=board.id,
        recipient=recipient,
        channel_id=None if recipient is not None else board.channel_id,
        day=day,
        send_at=at,
        items=items,
        meeting=meeting,
        note=note,
    )


def dm_key(kind: str, person_id: int, day: dt.date) -> str:
    """One reminder (and one escalation) DM per person per day, whatever it batches."""
    return f"{kind}:person:{person_id}:{day.isoformat()}"


def batch(messages: Iterable[Message]) -> list[Message]:
    """Merge DMs with the same key (one per person per day) into one, items in a stable order;
    board papers pass through. The earliest send time wins; a DM that batches several boards'
    actions belongs to no single board."""
    merged: dict[str, Message] = {}
    items: dict[str, dict[tuple[int, str], Item]] = defaultdict(dict)
    boards: dict[str, set[int | None]] = defaultdict(set)
    for message in messages:
        first = merged.get(message.key)
        if first is None or message.send_at < first.send_at:
            merged[message.key] = message
        boards[message.key].add(message.board_id)
        for item in message.items:
            items[message.key].setdefault((item.action_id, item.reason), item)
    out = [
        replace(
            message,
            board_id=message.board_id if len(boards[key]) == 1 else None,
            items=tuple(sorted(items[key].values(), key=_item_order)),
        )
        for key, message in merged.items()
    ]
    return sorted(out, key=lambda m: (m.send_at, _KIND_ORDER[m.kind], m.to, m.key))


_KIND_ORDER = {REMINDER: 0, ESCALATION: 1, DIGEST: 2, PACK: 3, "deadline": 4}


def _item_order(item: Item) -> tuple[object, ...]:
    return (ref_key(item.action_ref), item.reason)


def messages_due(
    boards: Iterable[BoardFacts],
    actions: Iterable[ActionFacts],
    now: dt.datetime,
    absences: Sequence[Absence] = (),
    deputies: Mapping[int, PersonRef] | None = None,
) -> list[Message]:
    """What every board sends on its local day of `now`, once its send time has come; with
    `absences`, what is meant for someone away goes to their deputy (`deputies`) or nobody."""
    actions = list(actions)
    by_board = _by_board(actions)
    collected: list[Message] = []
    for board, day, _ in _at_send_time(boards, now):
        collected.extend(board_messages(board, by_board.get(board.id, []), day))
    if absences:
        owners = {a.id: tuple(o.person_id for o in a.owners) for a in actions}
        collected = with_cover(collected, absences, deputies or {}, owners)
    return batch(collected)


F = TypeVar("F", ActionFacts, "DeadlineFacts")


def _by_board(facts: Iterable[F]) -> dict[int, list[F]]:
    grouped: dict[int, list[F]] = defaultdict(list)
    for fact in facts:
        grouped[fact.board_id].append(fact)
    return grouped


def _at_send_time(
    boards: Iterable[BoardFacts], now: dt.datetime
) -> Iterator[tuple[BoardFacts, dt.date, dt.datetime]]:
    """Each board whose send time on its local day of `now` has come, with that day and time."""
    for board in boards:
        day = local_date(now, board.timezone)
        at = send_time(board, day)
        if now >= at:
            yield board, day, at


OWNER_AWAY_NO_COVER = "owner away, no cover"


def with_cover(
    messages: Iterable[Message],
    absences: Sequence[Absence],
    deputies: Mapping[int, PersonRef],
    owners: Mapping[int, tuple[int, ...]] | None = None,
) -> list[Message]:
    """Each DM through `recipient_for` on its day: kept for someone not away; sent to the
    deputy of someone away, saying whom they cover (a DM of its own); dropped for someone away
    with no cover (their days are quiet). An escalation about an action whose owners are all
    away with no cover is listed to its recipient as "owner away, no cover" instead."""
    out: list[Message] = []
    for message in messages:
        person = message.recipient
        if person is None:
            out.append(message)
            continue
        if message.kind == ESCALATION and owners is not None and message.items:
            owned = [owners.get(item.action_id, ()) for item in message.items]
            if all(
                ids and all(recipient_for(o, message.day, absences).kind is CoverKind.NO_COVER
                            for o in ids)
                for ids in owned
            ):  # fmt: skip
                message = replace(message, key=f"{message.key}:no-cover", note=OWNER_AWAY_NO_COVER)
        cover = recipient_for(person.person_id, message.day, absences)
        if cover.kind is CoverKind.OWNER:
            out.append(message)
        elif (
            cover.kind is CoverKind.DEPUTY
            and isinstance(cover.recipient, int)
            and cover.recipient in deputies
        ):
            deputy = deputies[cover.recipient]
            why = f"You're covering for {person.name} while they're away."
            note = f"{why} {message.note}" if message.note else why
            out.append(
                replace(
                    message,
                    recipient=deputy,
                    key=f"{message.key}:cover:{deputy.person_id}",
                    note=note,
                )
            )
    return out


def _unique(people: Iterable[PersonRef | None]) -> list[PersonRef]:
    seen: dict[int, PersonRef] = {}
    for person in people:
        if person is not None:
            seen.setdefault(person.person_id, person)
    return list(seen.values())


# ---------------------------------------------------------------- deadlines

DEADLINE = "deadline"


@dataclass(frozen=True)
class DeadlineFacts:
    """A statutory or board deadline on a board's active plan, with its owner (if any)."""

    id: int
    board_id: int
    deadline: Deadline
    owner: PersonRef | None = None


def deadline_key(deadline_id: int, due: dt.date, left: int, person_id: int) -> str:
    """One reminder per deadline, due date, point and person: a date set again counts anew."""
    return f"{DEADLINE}:{deadline_id}:{due.isoformat()}:{left}:person:{person_id}"


def deadline_messages_due(
    boards: Iterable[BoardFacts], deadlines: Iterable[DeadlineFacts], now: dt.datetime
) -> list[Message]:
    """Reminders at 20, 10, 5 and 0 working days left, on working days of the board's calendar,
    once its send time has come: to the deadline's owner, the admins and the chair, once each."""
    by_board = _by_board(deadlines)
    messages: list[Message] = []
    for board, day, at in _at_send_time(boards, now):
        if is_paused(board, day) or board.id not in by_board:
            continue
        calendar = calendar_for(board.region)
        for facts in by_board[board.id]:
            for left in deadline_reminders_due(facts.deadline, day, calendar):
                for person in _unique([facts.owner, *board.admins, board.chair]):
                    messages.append(
                        Message(
                            kind=DEADLINE,
                            key=deadline_key(facts.id, facts.deadline.due, left, person.person_id),
                            board_id=board.id,
                            recipient=person,
                            channel_id=None,
                            day=day,
                            send_at=at,
                            deadline_id=facts.id,
                            working_days_left=left,
                        )
                    )
    return messages


COVER_NOTICE = "cover_notice"


@dataclass(frozen=True)
class CoverFacts:
    """An absence with a deputy, starting soon, on the board where its owner owns actions."""

    absence_id: int
    board_id: int
    owner: PersonRef
    deputy: PersonRef
    start: dt.date
    end: dt.date


def cover_notices_due(
    boards: Iterable[BoardFacts],
    upcoming: Iterable[CoverFacts],
    now: dt.datetime,
    absences: Sequence[Absence] = (),
) -> list[Message]:
    """On the last working day before an absence starts, at the board's send time, its deputy
    is told whom they will cover and from when to when (`cover_notice`). Not on a day the
    deputy is away themselves (a quiet day), nor while the board's reminders are paused."""
    by_board: dict[int, list[CoverFacts]] = defaultdict(list)
    for facts in upcoming:
        by_board[facts.board_id].append(facts)
    messages: list[Message] = []
    for board, day, at in _at_send_time(boards, now):
        if is_paused(board, day) or board.id not in by_board:
            continue
        calendar = calendar_for(board.region)
        if not calendar.is_working_day(day):
            continue
        following = calendar.next_working_day(day, include_self=False)
        for facts in by_board[board.id]:
            if not day < facts.start <= following:
                continue
            if recipient_for(facts.deputy.person_id, day, absences).kind is not CoverKind.OWNER:
                continue
            messages.append(
                Message(
                    kind=COVER_NOTICE,
                    key=(
                        f"{COVER_NOTICE}:{facts.absence_id}:{facts.start}:{facts.end}"
                        f":person:{facts.deputy.person_id}"
                    ),
                    board_id=board.id,
                    recipient=facts.deputy,
                    channel_id=None,
                    day=day,
                    send_at=at,
                    absence_id=facts.absence_id,
                )
            )
    return messages
