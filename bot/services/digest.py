"""The weekly digest and the pre-meeting pack (DESIGN §6): what they say, read from the database.

`build_digest` and `build_pack` run a fixed number of set-based queries whatever the size of
the plan (twelve for a digest, eleven when `since` is given; twelve for a pack; see `_build`:
the challenge log and movement since the last meeting take four of them), then compose in
`bot.core.digest`. Only the
board's active plans count, and removed actions never do. `now` is passed in; updates and
decisions after it are ignored, so a digest can be built for a moment in the past.

Rules:

- *overdue*: due before today (board-local) and not blue; `working_days` overdue counted with
  the board's holiday region, as `working_days_between(due, today)`.
- *due soon*: not blue, due today or in the next 14 calendar days.
- *stale*: not blue and no update for the board's `stale` policy (30 days by default). An
  action never updated counts from when its plan was created.
- *% complete*: blue actions over all actions, rounded down (100 only when all are blue).
- *since*: a digest covers status changes and approved date changes after `since` (default:
  when this board's last digest was sent on an earlier day than today, else 7 days before
  `now`); a pack covers them since the previous meeting started.
- *not updated* (pack): owners of open actions with no update since the previous meeting
  started (the board's cycle before the pack's meeting); with no previous meeting, since 30
  days before the pack's meeting.

JSON (`digest_json`, `pack_json`; dates ISO `YYYY-MM-DD`, times ISO 8601 in UTC)::

    digest = {
      "board": {"id", "name", "timezone"},
      "generated_at", "date" (board-local today), "since", "stale_days",
      "totals": {"actions", "statuses": STATUSES, "percent_complete", "overdue",
                 "due_soon", "stale", "pending_date_changes"},
      "themes": [{"plan", "ref", "title", "actions", "statuses": STATUSES,
                  "percent_complete",
                  "overdue": [{"ref", "title", "due", "due_precision", "status",
                               "owners": [PERSON], "working_days_overdue"}],
                  "due_soon": [{"ref", "title", "due", "due_precision", "status",
                                "owners": [PERSON], "days_left"}],
                  "status_changes": [{"ref", "title", "from", "to", "by", "at"}],
                  "stale": [{"ref", "title", "status", "owners": [PERSON],
                             "last_update", "days_since_update"}],
                  "date_changes": [{"ref", "title", "from", "to", "precision", "reason",
                                    "decided_by", "decided_at"}]}]}
    pack = {
      "meeting", "previous_meeting", "updates_since",
      "not_updated": [{"name", "slack_user", "actions": [ref, ...]}],
      "pending_date_changes": [{"id", "ref", "title", "from", "to", "precision", "reason",
                                "requested_by": PERSON | null, "requested_at"}],
      "digest": digest}
    STATUSES = {"not_started", "green", "amber", "red", "blue"}: counts
    PERSON = {"name", "slack_user"}

`from` in a status change may be null (an update that set the first status); `by` and
`decided_by` are names or null; `last_update` and `days_since_update` are null for an action
never updated; `previous_meeting` is null when the cycle has none before the meeting.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from typing import Any

from sqlalchemy import Executable, Select, bindparam, func, select, true
from sqlalchemy.orm import aliased

from bot.core import digest as compose
from bot.core.absence import Absence, without_cover
from bot.core.board_status import ActionRow, StatusCounts, Who
from bot.core.calendar import local_date
from bot.core.challenges import ChallengeState, EventKind
from bot.core.deadlines import Countdown
from bot.core.digest import (
    DateChange,
    DateChangeRow,
    Digest,
    Pack,
    PendingDateChange,
    StatusChange,
    ThemeDigest,
)
from bot.core.errors import NotFound
from bot.core.impact import QUIET_UPDATES, ImpactUpdate, find_impact
from bot.core.reminder_policy import policy_from_overrides
from bot.services.challenges import ChallengeView, board_challenges, counts_of
from bot.services.cover import cover_today
from bot.services.deadlines import board_countdowns
from bot.services.movement import last_meeting_before, movements, moving
from bot.services.queries import action_rows, board_cycle, counted, date_change_rows, theme_rows
from bot.services.snapshot import iso_day, iso_utc
from bot.services.uow import UnitOfWork
from db.models import Action, Board, Notification, Person, Plan, ProgressUpdate

DIGEST_KIND = "digest"
DEFAULT_PERIOD = dt.timedelta(days=7)
NO_PREVIOUS_MEETING = dt.timedelta(days=30)


# ---------------------------------------------------------------- loading


def _board(uow: UnitOfWork, board_id: int) -> Board:
    board = uow.session.execute(select(Board).where(Board.id == board_id)).scalar_one_or_none()
    if board is None:
        raise NotFound("I can't find that board any more.")
    return board


def _last_digest_sent(
    uow: UnitOfWork, board_id: int, now: dt.datetime, today: dt.date
) -> dt.datetime | None:
    """When the board's last digest went out before today. Today's own digests don't count:
    the chair's copy, built just after the channel's went out, covers the same period."""
    return uow.session.scalar(
        select(func.max(Notification.sent_at)).where(
            Notification.board_id == board_id,
            Notification.kind == DIGEST_KIND,
            Notification.state == "sent",
            Notification.sent_at <= now,
            Notification.local_day < today,
        )
    )


def _status_changes(
    uow: UnitOfWork, board_id: int, now: dt.datetime, since: dt.datetime
) -> list[tuple[int, StatusChange]]:
    """Updates that changed an action's status after `since`: (theme id, change), oldest first."""
    rows = (
        uow.session.connection()
        .execute(_status_changes_query(), {"board_id": board_id, "since": since, "now": now})
        .all()
    )
    return [
        (theme_id, StatusChange(ref, title, previous, status or "", by, at, source))
        for theme_id, ref, title, previous, status, by, at, source in rows
    ]


@functools.cache
def _status_changes_query() -> Executable:
    """`_status_changes`' statement, made once (values bound when it runs). Only actions
    updated after `since` are looked into: each keeps the time of its newest update
    (`Action.latest_update_at`), so the others can have no change in the period and their
    updates are not searched."""
    at_type = ProgressUpdate.__table__.c.at.type
    since = bindparam("since", type_=at_type)
    return (
        select(
            Action.theme_id,
            Action.ref,
            Action.title,
            ProgressUpdate.previous_status,
            ProgressUpdate.status,
            Person.name,
            ProgressUpdate.at,
            ProgressUpdate.source,
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .outerjoin(Person, Person.id == ProgressUpdate.author_id)
        .where(
            Plan.board_id == bindparam("board_id"),
            counted(),
            Action.latest_update_at > since,
            ProgressUpdate.at > since,
            ProgressUpdate.at <= bindparam("now", type_=at_type),
            ProgressUpdate.status.is_not(None),
            ProgressUpdate.status.is_distinct_from(ProgressUpdate.previous_status),
        )
        .order_by(ProgressUpdate.at, ProgressUpdate.id)
    )


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _build(
    uow: UnitOfWork,
    board: Board,
    now: dt.datetime,
    since: dt.datetime,
    cutoff: dt.datetime | None = None,
) -> tuple[Digest, list[PendingDateChange], list[ActionRow], list[ChallengeView]]:
    """Five queries: themes, actions (with owners and latest update: two), status changes,
    date changes (approved in the period, or pending), the board's deadlines and who is away."""
    session = uow.session
    themes = theme_rows(session, [board.id])
    rows = action_rows(session, now, board_ids=[board.id], latest_moment_only=True)
    requests = date_change_rows(
        session, board.id, pending=True, decided=("approved",), decided_after=since, until=now
    )
    pending = [compose.pending_date_change(r) for r in requests if r.state == "pending"]
    facts = compose.BoardFacts(
        board.id, board.name, board.timezone, policy_from_overrides(board.reminder_policy).stale
    )
    digest = compose.compose_digest(
        facts,
        themes,
        rows,
        _status_changes(uow, board.id, now, since),
        [compose.approved_date_change(r) for r in requests if r.approved],
        len(pending),
        now,
        since,
    )
    today = local_date(now, board.timezone)
    challenges = board_challenges(uow, board.id, now)
    moved = movements(uow, {r.id: moving(r) for r in rows}, cutoff, board_id=board.id)
    since_day = local_date(cutoff, board.timezone) if cutoff is not None else None
    covering, absences = cover_today(uow, board.id, today)
    digest = replace(
        digest,
        challenges=counts_of(challenges),
        movement=compose.theme_movements(themes, rows, moved, since_day),
        movement_since=since_day,
        movement_slips=sum(m.slips for m in moved.values()),
        deadlines=board_countdowns(uow, board, today),
        covering=covering,
        away_no_cover=_away_no_cover(rows, today, absences),
    )
    return digest, pending, rows, challenges


def _away_no_cover(
    rows: list[ActionRow], today: dt.date, absences: list[Absence]
) -> tuple[compose.OverdueAction, ...]:
    """Overdue actions whose owners are all away today with nobody covering."""
    late = [r for r in rows if r.working_days_overdue is not None and r.owner_ids]
    if not late or not absences:
        return ()
    return tuple(
        compose.overdue_action(r) for r in late if without_cover(r.owner_ids, today, absences)
    )


def challenge_line(c: ChallengeView) -> compose.ChallengeLine:
    return compose.ChallengeLine(
        label=c.label,
        ref=c.ref,
        title=c.title,
        state=c.state.value,
        question=c.question,
        age=c.age,
        answer=c.answer,
        answered_by=c.answered_by,
        asked_by=c.asked_by,
        action_id=c.action_id,
        steps=tuple(
            compose.ChallengeStepLine(s.kind.value, s.by, s.text or "")
            for s in c.steps[1:]
            if s.text and s.kind is not EventKind.CLOSED
        ),
        first_question=c.steps[0].text if c.steps else c.question,
        challenge_id=c.id,
    )


def build_digest(
    uow: UnitOfWork, board_id: int, now: dt.datetime, since: dt.datetime | None = None
) -> Digest:
    """The weekly digest of a board at `now`, covering changes after `since`."""
    _aware(now, "now")
    board = _board(uow, board_id)
    if since is None:
        today = local_date(now, board.timezone)
        since = _last_digest_sent(uow, board_id, now, today) or now - DEFAULT_PERIOD
    _aware(since, "since")
    return _build(uow, board, now, since, last_meeting_before(board, now))[0]


def build_pack(uow: UnitOfWork, board_id: int, meeting: dt.date, now: dt.datetime) -> Pack:
    """The pack for the board's meeting on `meeting`: the digest since the previous meeting,
    who has not updated since then, and the date changes waiting for the chair."""
    return build_pack_and_log(uow, board_id, meeting, now)[0]


def build_pack_and_log(
    uow: UnitOfWork, board_id: int, meeting: dt.date, now: dt.datetime
) -> tuple[Pack, list[ChallengeView]]:
    """`build_pack`, and the board's whole challenge log (closed ones too) that it read."""
    _aware(now, "now")
    board = _board(uow, board_id)
    cycle = board_cycle(board)
    previous = cycle.previous_meeting(meeting)
    if previous is not None:
        updates_since = cycle.meeting_datetime(previous)
    else:
        updates_since = cycle.meeting_datetime(meeting) - NO_PREVIOUS_MEETING
    cutoff = updates_since if previous is not None else None
    digest, pending, rows, challenges = _build(uow, board, now, updates_since, cutoff)
    pack = Pack(
        digest=digest,
        meeting=meeting,
        previous_meeting=previous,
        updates_since=updates_since,
        not_updated=compose.not_updated(rows, updates_since),
        pending_date_changes=tuple(pending),
        challenges=tuple(
            challenge_line(c) for c in challenges if c.state is not ChallengeState.CLOSED
        ),
        without_impact=compose.without_impact(rows, _impact_updates(uow, board.id, now)),
    )
    return pack, challenges


def _impact_updates(
    uow: UnitOfWork, board_id: int, now: dt.datetime
) -> dict[int, list[ImpactUpdate]]:
    """What each open action's newest updates (as many as the rule weighs) said about impact,
    up to `now`: one query, in which each action reads its newest few down its (action, time)
    index. Ranking every update of the board instead sorts them all: 72 ms of the pack's 170
    on SQLite for 2,000 actions with 50,000 updates.

    PostgreSQL joins each action to its newest LATERAL; SQLite, which has no LATERAL, looks
    them up by id from a subquery run once per action (PostgreSQL would run that one per
    update of the board instead)."""
    newer = aliased(ProgressUpdate)

    def newest(*columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .where(newer.action_id == Action.id, newer.at <= now)
            .order_by(newer.at.desc(), newer.id.desc())
            .limit(QUIET_UPDATES)
            .correlate(Action)
        )

    open_actions = (
        select()
        .select_from(Action)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.board_id == board_id, counted(), Action.status != "blue")
    )
    if uow.session.get_bind().dialect.name == "postgresql":
        lateral = newest(newer.action_id, newer.at, newer.impact, newer.evidence).lateral()
        query = open_actions.join(lateral, true()).add_columns(
            lateral.c.action_id, lateral.c.at, lateral.c.impact, lateral.c.evidence
        )
    else:
        ids = newest(newer.id).scalar_subquery()
        query = open_actions.join(ProgressUpdate, ProgressUpdate.id.in_(ids)).add_columns(
            ProgressUpdate.action_id,
            ProgressUpdate.at,
            ProgressUpdate.impact,
            ProgressUpdate.evidence,
        )
    found: dict[int, list[ImpactUpdate]] = {}
    for action_id, at, impact, evidence in uow.session.execute(query):
        found.setdefault(action_id, []).append(
            ImpactUpdate(at, impact=find_impact(impact), evidence=evidence)
        )
    return found


# ---------------------------------------------------------------- JSON


def _who(who: Who) -> dict[str, Any]:
    return {"name": who.name, "slack_user": who.slack_user_id}


def _statuses(counts: StatusCounts) -> dict[str, int]:
    return {status.value: n for status, n in counts.items()}


def digest_json(d: Digest) -> dict[str, Any]:
    """The digest as plain JSON-able data (keys in the module docstring)."""
    return {
        "board": {"id": d.board_id, "name": d.board, "timezone": d.timezone},
        "generated_at": iso_utc(d.generated_at),
        "date": iso_day(d.today),
        "since": iso_utc(d.since),
        "stale_days": d.stale_days,
        "totals": {
            "actions": d.totals.actions,
            "statuses": _statuses(d.totals.counts),
            "percent_complete": d.totals.percent_complete,
            "overdue": d.totals.overdue,
            "due_soon": d.totals.due_soon,
            "stale": d.totals.stale,
            "pending_date_changes": d.totals.pending_date_changes,
        },
        "themes": [_theme_json(t) for t in d.themes],
        "impact": {
            "delivered": d.impact.delivered,
            "impact_evidenced": d.impact.impact_evidenced,
            "impact_emerging": d.impact.impact_emerging,
            "owing_evidence": [
                {"ref": o.ref, "title": o.title, "owners": [_who(w) for w in o.owners]}
                for o in d.owing_evidence
            ],
        },
        "challenges": (
            {
                "open": d.challenges.open,
                "answered": d.challenges.answered,
                "closed": d.challenges.closed,
            }
            if d.challenges is not None
            else None
        ),  # fmt: skip
        "movement": {
            "since": iso_day(d.movement_since),
            "slips": d.movement_slips,
            "themes": [
                {
                    "ref": m.ref,
                    "line": m.summary.line,
                    "better": m.summary.better,
                    "worse": m.summary.worse,
                    "same": m.summary.same,
                    "new": m.summary.new,
                    "actions": [{"ref": ref, **moved.as_json()} for ref, _, moved in m.moved],
                }
                for m in d.movement
            ],
        },
        **({"deadlines": [_countdown_json(c) for c in d.deadlines]} if d.deadlines else {}),
        **({"covering": list(d.covering)} if d.covering else {}),
        **(
            {
                "owner_away_no_cover": [
                    _action_json(a, working_days_overdue=a.working_days) for a in d.away_no_cover
                ]
            }
            if d.away_no_cover
            else {}
        ),
    }


def _countdown_json(c: Countdown) -> dict[str, Any]:
    return {
        "title": c.title,
        "due": iso_day(c.due),
        "working_days_left": c.working_days_left,
        "overdue": c.overdue,
        "text": c.text,
    }


def _action_json(a: compose.OverdueAction | compose.DueSoonAction, **extra: int) -> dict[str, Any]:
    return {
        "ref": a.ref,
        "title": a.title,
        "due": iso_day(a.due),
        "due_precision": a.due_precision,
        "status": a.status,
        "owners": [_who(w) for w in a.owners],
        **extra,
    }


def change_json(c: DateChange | PendingDateChange | DateChangeRow, **extra: Any) -> dict[str, Any]:
    """A date change as JSON: what it moves from and to, and why, then `extra`."""
    return {
        "ref": c.ref,
        "title": c.title,
        "from": iso_day(c.old_due),
        "to": iso_day(c.new_due),
        "precision": c.new_precision,
        "reason": c.reason,
        **extra,
    }


def _theme_json(t: ThemeDigest) -> dict[str, Any]:
    return {
        "plan": t.plan,
        "ref": t.ref,
        "title": t.title,
        "actions": t.counts.total,
        "statuses": _statuses(t.counts),
        "percent_complete": t.percent_complete,
        "overdue": [_action_json(a, working_days_overdue=a.working_days) for a in t.overdue],
        "due_soon": [_action_json(a, days_left=a.days_left) for a in t.due_soon],
        "status_changes": [
            {
                "ref": c.ref,
                "title": c.title,
                "from": c.from_status,
                "to": c.to_status,
                "by": c.by,
                "at": iso_utc(c.at),
            }
            for c in t.changes
        ],
        "stale": [
            {
                "ref": s.ref,
                "title": s.title,
                "status": s.status,
                "owners": [_who(w) for w in s.owners],
                "last_update": iso_utc(s.last_update),
                "days_since_update": s.days_since,
            }
            for s in t.stale
        ],
        "date_changes": [
            change_json(c, decided_by=c.decided_by, decided_at=iso_utc(c.decided_at))
            for c in t.date_changes
        ],
    }


def pack_json(p: Pack) -> dict[str, Any]:
    """The pack as plain JSON-able data (keys in the module docstring)."""
    return {
        "meeting": iso_day(p.meeting),
        "previous_meeting": iso_day(p.previous_meeting),
        "updates_since": iso_utc(p.updates_since),
        "not_updated": [
            {"name": n.who.name, "slack_user": n.who.slack_user_id, "actions": list(n.refs)}
            for n in p.not_updated
        ],
        "pending_date_changes": [
            {
                "id": c.id,
                **change_json(
                    c,
                    requested_by=_who(c.requested_by) if c.requested_by else None,
                    requested_at=iso_utc(c.requested_at),
                ),
            }
            for c in p.pending_date_changes
        ],
        "challenges": [
            {
                "id": c.label,
                "ref": c.ref,
                "state": c.state,
                "question": c.question,
                "age": c.age,
                "answer": c.answer,
                "asked_by": c.asked_by,
                "steps": [{"kind": s.kind, "by": s.by, "text": s.text} for s in c.steps],
            }
            for c in p.challenges
        ],  # fmt: skip
        "without_impact": [
            {"ref": o.ref, "title": o.title, "owners": [_who(w) for w in o.owners]}
            for o in p.without_impact
        ],
        "digest": digest_json(p.digest),
    }
