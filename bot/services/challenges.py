"""The chair's challenge log: a board's questions to an action's owners, and their answers.

A challenge is asked by the chair or a board member (`/board challenge 4.1 "…"`), answered by
the action's owners or delegates (`/progress answer C12 "…"`, or a reply in the thread of the
DM that put the question to them), and closed or reopened with a follow-up by the chair or an
admin. Its history is append-only (`challenge_event`); its state is read from that history
(bot.core.challenges). The owners hear of a question, and whoever asked hears of an answer,
by DM through the outbox, enqueued in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.core.absence import CoverKind, recipient_for
from bot.core.board_status import Who
from bot.core.calendar import local_date
from bot.core.challenges import (
    Challenge as ChallengeHistory,
)
from bot.core.challenges import (
    ChallengeCounts,
    ChallengeEvent,
    ChallengeFilter,
    ChallengeState,
    EventKind,
    append,
    challenge_label,
)
from bot.core.errors import NotFound, UserError
from bot.core.permissions import Permission, check, is_allowed
from bot.services import UseCases, outbox
from bot.services.cover import absences_around, covering_for
from bot.services.plans import Actor, find_board, normalise_ref, standing
from bot.services.privacy import Held, guard, hold, refuse_if_flagged, take_held
from bot.services.queries import counted
from bot.services.uow import UnitOfWork
from db.models import Action, ActionAssignment, Board, Challenge, Notification, Person, Plan
from db.models import ChallengeEvent as EventRow

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

CHALLENGE_DM = outbox.CHALLENGE
# The same step by the same person on the same challenge (or the same question on the same
# action) within this window — a command typed twice, a double click — is taken once.
REPEAT_WINDOW = dt.timedelta(minutes=10)


def _same_text(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


@dataclass(frozen=True)
class ChallengeStep:
    """One step of a challenge's history as people read it: who, when, what they wrote."""

    kind: EventKind
    by: str | None
    at: dt.datetime
    text: str | None


@dataclass(frozen=True)
class ChallengeView:
    """A challenge as people read it: the question standing, the latest answer, its state,
    and every step in order (`steps`: the question, each answer and follow-up, any close)."""

    id: int
    label: str  # C12
    board_id: int
    board: str
    timezone: str
    ref: str
    title: str
    state: ChallengeState
    question: str
    asked_by: str | None
    asked_at: dt.datetime
    answer: str | None
    answered_by: str | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopened: bool
    age: str  # `asked 12 days ago`, `answered yesterday`, `closed today`
    asked_on: dt.date  # board-local
    owners: tuple[Who, ...] = ()
    plan_id: int = 0
    action_id: int = 0
    steps: tuple[ChallengeStep, ...] = ()

    @property
    def answers(self) -> tuple[ChallengeStep, ...]:
        """Every answer, oldest first: a second answer adds to the first, never replaces it."""
        return tuple(s for s in self.steps if s.kind is EventKind.ANSWERED)


@dataclass(frozen=True)
class ChallengeList:
    board: str
    show: ChallengeFilter
    items: tuple[ChallengeView, ...]
    counts: ChallengeCounts


@dataclass(frozen=True)
class ChallengeForm:
    """The action a Challenge button's form puts a question on."""

    action_id: int
    ref: str
    title: str
    board: str


@dataclass(frozen=True)
class ChallengeStepDone:
    """What a step did, as whoever took it is told."""

    challenge: ChallengeView
    kind: EventKind
    told: int  # how many people a DM was enqueued for
    duplicate: bool = False  # the same Slack request or event seen again: nothing new
    held: Held | None = None  # an answer the personal-data check flagged: held, not recorded


@dataclass(frozen=True)
class ChallengeMessage:
    """A challenge DM as it goes out: the step it is about and the challenge as it stands."""

    challenge: ChallengeView
    kind: EventKind
    text: str
    by: str | None
    covering_for: str | None = None  # to a deputy: the away owner they cover for


# ---------------------------------------------------------------- reading


def _histories(
    uow: UnitOfWork, challenge_ids: Collection[int]
) -> dict[int, list[tuple[EventRow, str | None]]]:
    by = aliased(Person)
    rows = uow.session.execute(
        select(EventRow, by.name)
        .outerjoin(by, by.id == EventRow.by_id)
        .where(EventRow.challenge_id.in_(challenge_ids))
        .order_by(EventRow.challenge_id, EventRow.id)
    ).all()
    found: dict[int, list[tuple[EventRow, str | None]]] = defaultdict(list)
    for event, name in rows:
        found[event.challenge_id].append((event, name))
    return found


def _owners(uow: UnitOfWork, action_ids: Collection[int]) -> dict[int, tuple[Who, ...]]:
    found: dict[int, list[Who]] = defaultdict(list)
    for action_id, name, slack_id in uow.session.execute(
        select(ActionAssignment.action_id, Person.name, Person.slack_user_id)
        .join(Person, Person.id == ActionAssignment.person_id)
        .where(ActionAssignment.action_id.in_(action_ids), ActionAssignment.role == "owner")
        .order_by(ActionAssignment.action_id, ActionAssignment.position)
    ):
        found[action_id].append(Who(name, slack_id))
    return {k: tuple(v) for k, v in found.items()}


def challenge_views(
    uow: UnitOfWork,
    now: dt.datetime,
    *,
    board_id: int | None = None,
    challenge_ids: Collection[int] | None = None,
    plan_ids: Collection[int] | None = None,
) -> list[ChallengeView]:
    """Challenges of a board's counted actions (or those named), oldest asked first."""
    query = (
        select(Challenge, Action.ref, Action.title, Board.id, Board.name, Board.timezone, Plan.id)
        .join(Action, Action.id == Challenge.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .join(Board, Board.id == Plan.board_id)
        .order_by(Challenge.asked_at, Challenge.id)
    )
    if board_id is not None:
        query = query.where(Plan.board_id == board_id, counted())
    if challenge_ids is not None:
        query = query.where(Challenge.id.in_(challenge_ids))
    if plan_ids is not None:
        query = query.where(Action.plan_id.in_(plan_ids), Action.removed_at.is_(None))
    rows = uow.session.execute(query).all()
    if not rows:
        return []
    histories = _histories(uow, [row[0].id for row in rows])
    owners = _owners(uow, {row[0].action_id for row in rows})
    return [
        _view(challenge, ref, title, b_id, b_name, tz, histories[challenge.id], now, owners, p_id)
        for challenge, ref, title, b_id, b_name, tz, p_id in rows
    ]


def _view(
    challenge: Challenge,
    ref: str,
    title: str,
    board_id: int,
    board: str,
    tz: str,
    events: list[tuple[EventRow, str | None]],
    now: dt.datetime,
    owners: dict[int, tuple[Who, ...]],
    plan_id: int,
) -> ChallengeView:
    history = ChallengeHistory(
        challenge.id,
        ref,
        tuple(ChallengeEvent(EventKind(e.kind), e.at, e.by_id, e.text) for e, _ in events),
    )
    names = {e.id: name for e, name in events}
    answer_row = next((e for e, _ in reversed(events) if e.kind == EventKind.ANSWERED), None)
    answer = history.answer
    closed = history.closed
    return ChallengeView(
        id=challenge.id,
        label=history.label,
        board_id=board_id,
        board=board,
        timezone=tz,
        ref=ref,
        title=title,
        state=history.state,
        question=history.question,
        asked_by=names.get(events[0][0].id),
        asked_at=history.asked.at,
        answer=answer.text if answer else None,
        answered_by=names.get(answer_row.id) if answer_row else None,
        answered_at=answer.at if answer else None,
        closed_at=closed.at if closed else None,
        reopened=history.reopened,
        age=history.age_line(local_date(now, tz), tz),
        asked_on=local_date(history.asked.at, tz),
        owners=owners.get(challenge.action_id, ()),
        plan_id=plan_id,
        action_id=challenge.action_id,
        steps=tuple(ChallengeStep(EventKind(e.kind), name, e.at, e.text) for e, name in events),
    )


def board_challenges(uow: UnitOfWork, board_id: int, now: dt.datetime) -> list[ChallengeView]:
    """Every challenge on the board's counted actions, asked at or before `now`."""
    return [c for c in challenge_views(uow, now, board_id=board_id) if c.asked_at <= now]


# ---------------------------------------------------------------- steps


def _action_on_board(uow: UnitOfWork, board: Board, ref: str) -> Action:
    action = uow.session.scalars(
        select(Action)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.board_id == board.id, counted(), Action.ref == normalise_ref(ref))
        .order_by(Plan.id.desc())
        .limit(1)
    ).first()
    if action is None:
        raise NotFound(
            f"There's no action {ref} on “{board.name}”. `/board theme <ref>` lists a theme's "
            "actions."
        )
    return action


def _challenge(uow: UnitOfWork, actor: Actor, challenge_id: int, board: str | None) -> Challenge:
    """The challenge, locked until the transaction ends (steps on one challenge queue)."""
    challenge = uow.session.scalars(
        select(Challenge)
        .where(Challenge.id == challenge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    label = challenge_label(challenge_id)
    if challenge is None or challenge.action.plan.board.workspace_id != actor.workspace_id:
        raise NotFound(f"There's no challenge {label}. `/board challenges` lists them.")
    if board is not None and find_board(uow, actor.workspace_id, board).id != (
        challenge.action.plan.board_id
    ):
        raise UserError(f"{label} is on “{challenge.action.plan.board.name}”, not “{board}”.")
    return challenge


def _seen(uow: UnitOfWork, dedupe_key: str | None) -> EventRow | None:
    if dedupe_key is None:
        return None
    return uow.session.scalar(select(EventRow).where(EventRow.dedupe_key == dedupe_key))


# What a step's text is called when the personal-data check refuses it.
STEP_TEXT = {
    EventKind.ASKED: "question",
    EventKind.ANSWERED: "answer",
    EventKind.CLOSED: "closing note",
    EventKind.REOPENED: "follow-up",
}


def _step(
    uow: UnitOfWork,
    actor: Actor,
    challenge: Challenge,
    kind: EventKind,
    text: str | None,
    now: dt.datetime,
    dedupe_key: str | None,
    confirmed: bool = False,
) -> ChallengeStepDone:
    """Append a checked event and tell whoever it concerns, in this transaction.

    An owner's answer that looks like it holds a child's personal details is held, like a
    progress note, until its author records it anyway or rephrases. The chair's closing notes
    and follow-ups (and questions, in `_ask`) are refused instead: they are short, their
    authors are not answering under a reminder, and a held question would leave the owners
    waiting on a confirmation they cannot see."""
    if _seen(uow, dedupe_key) is not None or _repeated(actor, challenge, kind, text, now):
        (view,) = challenge_views(uow, now, challenge_ids=[challenge.id])
        return ChallengeStepDone(view, kind, 0, duplicate=True)
    if kind is EventKind.ANSWERED:
        findings = guard(uow, actor.workspace_id, text, confirmed)
        if findings:
            held = hold(
                uow, actor, challenge.action_id, challenge_label(challenge.id), now, findings,
                source="challenge", status=None, note=(text or "").strip(), evidence=None,
                dedupe_key=dedupe_key, challenge_id=challenge.id,
            )  # fmt: skip
            (view,) = challenge_views(uow, now, challenge_ids=[challenge.id])
            return ChallengeStepDone(view, kind, 0, held=held)
    else:
        refuse_if_flagged(uow, actor.workspace_id, text, STEP_TEXT[kind])
    label = challenge_label(challenge.id)
    history = tuple(
        ChallengeEvent(EventKind(e.kind), e.at, e.by_id, e.text) for e in challenge.events
    )
    text = (text or "").strip() or None
    at = max(now, history[-1].at) if history else now
    append(history, ChallengeEvent(kind, at, actor.person_id, text), label=label)
    event = EventRow(
        challenge_id=challenge.id,
        kind=kind.value,
        at=at,
        by_id=actor.person_id,
        text=text,
        dedupe_key=dedupe_key,
    )
    uow.session.add(event)
    uow.session.flush()
    told = _tell(uow, challenge, event, now)
    (view,) = challenge_views(uow, now, challenge_ids=[challenge.id])
    return ChallengeStepDone(view, kind, told)


def _repeated(
    actor: Actor, challenge: Challenge, kind: EventKind, text: str | None, now: dt.datetime
) -> bool:
    """Whether the challenge's last step is this one, by the same person, moments ago."""
    last = max(challenge.events, key=lambda e: (e.at, e.id), default=None)
    return (
        last is not None
        and actor.person_id is not None
        and last.kind == kind.value
        and last.by_id == actor.person_id
        and _same_text(last.text, text)
        and now - last.at <= REPEAT_WINDOW
    )


def _tell(uow: UnitOfWork, challenge: Challenge, event: EventRow, now: dt.datetime) -> int:
    """A question or follow-up goes to the action's owners (to an away owner's deputy, or,
    with no cover, to nobody: it waits in the log); an answer to whoever asked. People not
    linked to Slack are left out (the pack and `/board challenges` show it)."""
    board = challenge.action.plan.board
    people: list[tuple[Person, str | None]]  # each with the away owner they cover for
    if event.kind in (EventKind.ASKED, EventKind.REOPENED):
        owners = list(
            uow.session.scalars(
                select(Person)
                .join(ActionAssignment, ActionAssignment.person_id == Person.id)
                .where(
                    ActionAssignment.action_id == challenge.action_id,
                    ActionAssignment.role == "owner",
                )
                .order_by(ActionAssignment.position)
            )
        )
        people = _covered(uow, owners, local_date(now, board.timezone))
    elif event.kind == EventKind.ANSWERED and challenge.asked_by_id is not None:
        asker = uow.session.get(Person, challenge.asked_by_id)
        people = [(asker, None)] if asker is not None else []
    else:
        return 0
    told = 0
    for person, covering in people:
        if not person.slack_user_id or person.id == event.by_id:
            continue
        told += outbox.enqueue_dm(
            uow,
            workspace_id=board.workspace_id,
            board_id=board.id,
            kind=CHALLENGE_DM,
            key=f"{CHALLENGE_DM}:{event.id}:person:{person.id}",
            person_id=person.id,
            slack_user_id=person.slack_user_id,
            payload={"challenge_id": challenge.id, "event_id": event.id, "covering_for": covering},
            timezone=board.timezone,
            now=now,
        )
    return told


def _covered(
    uow: UnitOfWork, owners: list[Person], day: dt.date
) -> list[tuple[Person, str | None]]:
    """Whom each owner's challenge goes to on `day`: the owner, their deputy while they are
    away (with the owner's name), or nobody when they are away with no cover."""
    absences = absences_around(uow, day, day)
    people: list[tuple[Person, str | None]] = []
    for owner in owners:
        cover = recipient_for(owner.id, day, absences)
        if cover.kind is CoverKind.OWNER:
            people.append((owner, None))
        elif cover.recipient is not None:
            deputy = uow.session.get(Person, cover.recipient)
            if deputy is not None and deputy not in [p for p, _ in people]:
                people.append((deputy, owner.name))
    return people


def ask(
    uow: UnitOfWork,
    actor: Actor,
    ref: str,
    question: str,
    now: dt.datetime,
    *,
    board: str | None = None,
    dedupe_key: str | None = None,
) -> ChallengeStepDone:
    """Put the board's question to the owners of its action `ref`."""
    found = find_board(uow, actor.workspace_id, board)
    action = _action_on_board(uow, found, ref)
    return _ask(uow, actor, found, action, question, now, dedupe_key)


def ask_on(
    uow: UnitOfWork,
    actor: Actor,
    action_id: int,
    question: str,
    now: dt.datetime,
    *,
    dedupe_key: str | None = None,
) -> ChallengeStepDone:
    """Put the board's question to the owners of the action (a Challenge button's)."""
    action = challengeable(uow, actor, action_id)
    return _ask(uow, actor, action.plan.board, action, question, now, dedupe_key)


def challengeable(uow: UnitOfWork, actor: Actor, action_id: int) -> Action:
    """The action, counted on one of the actor's workspace's boards, if the actor may
    challenge it."""
    action = uow.session.scalars(
        select(Action)
        .join(Plan, Plan.id == Action.plan_id)
        .join(Board, Board.id == Plan.board_id)
        .where(Action.id == action_id, Board.workspace_id == actor.workspace_id, counted())
    ).first()
    if action is None:
        raise NotFound("That action is no longer on the board. `/board` lists the themes.")
    check(Permission.ASK_CHALLENGE, standing(uow, actor, action.plan.board_id), ref=action.ref)
    return action


def may_challenge(uow: UnitOfWork, actor: Actor, board_id: int) -> bool:
    """Whether the person may put the board's questions to owners (the Challenge button)."""
    return is_allowed(Permission.ASK_CHALLENGE, standing(uow, actor, board_id))


def may_close(uow: UnitOfWork, actor: Actor, board_id: int) -> bool:
    """Whether the person may close a challenge or follow it up (Close / Follow up)."""
    return is_allowed(Permission.CLOSE_CHALLENGE, standing(uow, actor, board_id))


def _ask(
    uow: UnitOfWork,
    actor: Actor,
    found: Board,
    action: Action,
    question: str,
    now: dt.datetime,
    dedupe_key: str | None,
) -> ChallengeStepDone:
    check(Permission.ASK_CHALLENGE, standing(uow, actor, found.id), ref=action.ref)
    if dedupe_key is not None:
        seen = uow.session.scalar(select(Challenge).where(Challenge.dedupe_key == dedupe_key))
        if seen is not None:
            (view,) = challenge_views(uow, now, challenge_ids=[seen.id])
            return ChallengeStepDone(view, EventKind.ASKED, 0, duplicate=True)
    repeat = _asked_moments_ago(uow, actor, action, question, now)
    if repeat is not None:
        (view,) = challenge_views(uow, now, challenge_ids=[repeat])
        return ChallengeStepDone(view, EventKind.ASKED, 0, duplicate=True)
    question = question.strip()
    refuse_if_flagged(uow, actor.workspace_id, question, "question")
    append((), ChallengeEvent(EventKind.ASKED, now, actor.person_id, question))
    challenge = Challenge(
        action_id=action.id, asked_by_id=actor.person_id, asked_at=now, dedupe_key=dedupe_key
    )
    uow.session.add(challenge)
    uow.session.flush()
    event = EventRow(
        challenge_id=challenge.id, kind=EventKind.ASKED.value, at=now, by_id=actor.person_id,
        text=question,
    )  # fmt: skip
    uow.session.add(event)
    uow.session.flush()
    told = _tell(uow, challenge, event, now)
    (view,) = challenge_views(uow, now, challenge_ids=[challenge.id])
    return ChallengeStepDone(view, EventKind.ASKED, told)


def _asked_moments_ago(
    uow: UnitOfWork, actor: Actor, action: Action, question: str, now: dt.datetime
) -> int | None:
    """The challenge the same person put on the action with the same question moments ago."""
    if actor.person_id is None:
        return None
    recent = uow.session.execute(
        select(Challenge.id, EventRow.text)
        .join(EventRow, EventRow.challenge_id == Challenge.id)
        .where(
            Challenge.action_id == action.id,
            Challenge.asked_by_id == actor.person_id,
            Challenge.asked_at >= now - REPEAT_WINDOW,
            Challenge.asked_at <= now,
            EventRow.kind == EventKind.ASKED.value,
        )
        .order_by(Challenge.id.desc())
    ).all()
    return next((c for c, text in recent if _same_text(text, question)), None)


def answer(
    uow: UnitOfWork,
    actor: Actor,
    challenge_id: int,
    text: str,
    now: dt.datetime,
    *,
    dedupe_key: str | None = None,
    confirmed: bool = False,
) -> ChallengeStepDone:
    challenge = _challenge(uow, actor, challenge_id, None)
    board = challenge.action.plan.board
    found = standing(uow, actor, board.id, challenge.action_id)
    if covering_for(uow, actor, challenge.action_id, local_date(now, board.timezone)):
        found = replace(found, covering=True, delegate=True)
    check(Permission.ANSWER_CHALLENGE, found, ref=challenge.action.ref)
    return _step(uow, actor, challenge, EventKind.ANSWERED, text, now, dedupe_key, confirmed)


def chair_step(
    uow: UnitOfWork,
    actor: Actor,
    challenge_id: int,
    now: dt.datetime,
    kind: EventKind,
    text: str | None,
    board: str | None = None,
    dedupe_key: str | None = None,
) -> ChallengeStepDone:
    """Close a challenge (with an optional note) or reopen it with a follow-up question."""
    challenge = _challenge(uow, actor, challenge_id, board)
    check(Permission.CLOSE_CHALLENGE, standing(uow, actor, challenge.action.plan.board_id))
    return _step(uow, actor, challenge, kind, text, now, dedupe_key)


def challenge_thread(
    uow: UnitOfWork, workspace_id: int, channel: str, thread_ts: str
) -> int | None:
    """The challenge whose DM has this channel and ts, or None when it is not a challenge's."""
    payload = uow.session.scalar(
        select(Notification.payload)
        .where(
            Notification.workspace_id == workspace_id,
            Notification.channel == channel,
            Notification.ts == thread_ts,
            Notification.kind == CHALLENGE_DM,
        )
        .order_by(Notification.id)
        .limit(1)
    )
    return int(payload["challenge_id"]) if payload and "challenge_id" in payload else None


def challenge_message(
    uow: UnitOfWork,
    challenge_id: int,
    event_id: int,
    now: dt.datetime,
    covering_for: str | None = None,
) -> ChallengeMessage | None:
    """A challenge DM as it goes out now (None when the challenge is gone)."""
    found = challenge_views(uow, now, challenge_ids=[challenge_id])
    event = uow.session.get(EventRow, event_id)
    if not found or event is None:
        return None
    by = uow.session.get(Person, event.by_id) if event.by_id is not None else None
    return ChallengeMessage(
        found[0], EventKind(event.kind), event.text or "", by.name if by else None, covering_for
    )


# ---------------------------------------------------------------- the use cases


@dataclass(frozen=True)
class ThreadAnswer:
    """A reply in a DM thread: whether the thread is a challenge's, and what it recorded."""

    in_challenge_thread: bool
    done: ChallengeStepDone | None = None


class ChallengeService(UseCases):
    """The challenge log (DESIGN §4): ask, answer, close, reopen, list."""

    def ask(
        self,
        actor: Actor,
        ref: str,
        question: str,
        now: dt.datetime,
        *,
        board: str | None = None,
        dedupe_key: str | None = None,
    ) -> ChallengeStepDone:
        return self.units.committed(
            lambda uow: ask(uow, actor, ref, question, now, board=board, dedupe_key=dedupe_key)
        )

    def ask_on(
        self, actor: Actor, action_id: int, question: str, now: dt.datetime, key: str | None = None
    ) -> ChallengeStepDone:
        """The Challenge button's form: the question, on the action it was pressed on (`key`:
        the form's, so the same form seen twice asks once)."""
        return self.units.committed(
            lambda uow: ask_on(uow, actor, action_id, question, now, dedupe_key=key)
        )

    def form(self, actor: Actor, action_id: int) -> ChallengeForm:
        """What the Challenge button's form is opened on; refused to anyone who may not ask."""
        with self.units.request() as uow:
            action = challengeable(uow, actor, action_id)
            return ChallengeForm(action.id, action.ref, action.title, action.plan.board.name)

    def follow_up_form(self, actor: Actor, challenge_id: int, now: dt.datetime) -> ChallengeView:
        """What the Follow up button's form is opened on; refused to anyone but the chair or
        an admin."""
        with self.units.request() as uow:
            challenge = _challenge(uow, actor, challenge_id, None)
            check(Permission.CLOSE_CHALLENGE, standing(uow, actor, challenge.action.plan.board_id))
            (view,) = challenge_views(uow, now, challenge_ids=[challenge.id])
            return view

    def answer(
        self,
        actor: Actor,
        challenge_id: int,
        text: str,
        now: dt.datetime,
        *,
        dedupe_key: str | None = None,
    ) -> ChallengeStepDone:
        return self.units.committed(
            lambda uow: answer(uow, actor, challenge_id, text, now, dedupe_key=dedupe_key)
        )

    def record_anyway(self, actor: Actor, held_id: int, now: dt.datetime) -> ChallengeStepDone:
        """Record anyway: an answer held because its text was flagged, confirmed by its author
        (audited with who, when and the kinds, never the text)."""

        def work(uow: UnitOfWork) -> ChallengeStepDone:
            held = take_held(uow, actor, held_id, now, answer=True)
            assert held.challenge_id is not None
            return answer(
                uow, actor, held.challenge_id, held.note or "", now,
                dedupe_key=held.dedupe_key, confirmed=True,
            )  # fmt: skip

        return self.units.committed(work)

    def chair_step(
        self,
        actor: Actor,
        challenge_id: int,
        kind: EventKind,
        text: str | None,
        now: dt.datetime,
        *,
        board: str | None = None,
        dedupe_key: str | None = None,
    ) -> ChallengeStepDone:
        """Close a challenge (CLOSED, with an optional note) or reopen it with a follow-up
        question (REOPENED)."""
        step = (kind, text, board, dedupe_key)
        return self.units.committed(lambda uow: chair_step(uow, actor, challenge_id, now, *step))

    def list(
        self, actor: Actor, board: str | None, show: ChallengeFilter, now: dt.datetime
    ) -> ChallengeList:
        """`/board challenges`: the board's challenges the filter admits, oldest asked first."""
        with self.units.request() as uow:
            found = find_board(uow, actor.workspace_id, board)
            check(Permission.READ, standing(uow, actor, found.id))
            every = board_challenges(uow, found.id, now)
            items = tuple(c for c in every if show.admits(c.state))
            counts = counts_of(every)
            return ChallengeList(found.name, show, items, counts)

    def thread_answer(
        self,
        actor: Actor,
        channel: str,
        thread_ts: str,
        text: str,
        now: dt.datetime,
        *,
        dedupe_key: str,
    ) -> ThreadAnswer:
        """A reply in the thread of a challenge DM answers that challenge."""
        try:
            with self.units.request() as uow:
                challenge_id = challenge_thread(uow, actor.workspace_id, channel, thread_ts)
                if challenge_id is None:
                    return ThreadAnswer(in_challenge_thread=False)
                done = answer(uow, actor, challenge_id, text, now, dedupe_key=dedupe_key)
                uow.commit()
        except IntegrityError:
            log.info("challenge answer %s was recorded by a concurrent delivery", dedupe_key)
            return ThreadAnswer(in_challenge_thread=True)
        return ThreadAnswer(in_challenge_thread=True, done=done)


def counts_of(views: Collection[ChallengeView]) -> ChallengeCounts:
    """Open, answered and closed, of the challenges given."""
    states = [v.state for v in views]
    return ChallengeCounts(
        open=states.count(ChallengeState.OPEN),
        answered=states.count(ChallengeState.ANSWERED),
        closed=states.count(ChallengeState.CLOSED),
    )
