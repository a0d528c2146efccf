"""The pre-meeting pack as a committee paper: the pack, plus what a paper lists that a Slack
post leaves out — every action with its latest update and slips, the date changes decided
since the previous meeting, who the report is of, and the board's escalation threshold.

`build_paper` is `build_pack` and a fixed number of set-based queries more, whatever the size
of the plan (two for the trend at each meeting counted, one for the impact given by each).
Only the board's active plans count, and removed actions never do; updates and decisions
after `now` are ignored, as in the pack.

- *slips*: how many times the action's due date has been changed (approved requests, admin
  edits and re-imports all count; the action's `date_changes`).
- *latest update*: the newest update at or before `now` that has a note.
- *escalated*: overdue by the board's `escalate` policy (10 working days by default) or more.
- *report of*: the board's chair; with no chair, the workspace's first admin.
- *challenge log*: every open and answered challenge, and those closed since the previous
  meeting, oldest asked first, each with its age.
- *trend*: the board's BRAG and impact mix at each of its last six meetings that have started
  (status at each from the update history, as movement reads it) and now (bot.core.trend).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.core.board_status import ActionRow
from bot.core.calendar import local_date
from bot.core.challenges import ChallengeState
from bot.core.digest import ChallengeLine, DateChangeRow, Pack, row_impact
from bot.core.errors import UserError
from bot.core.impact import ActionImpact, find_impact, impact_counts
from bot.core.reminder_policy import policy_from_overrides
from bot.core.trend import TREND_MEETINGS, TrendPoint, trend_point
from bot.services.challenges import ChallengeView
from bot.services.digest import build_pack_and_log, challenge_line, change_json, pack_json
from bot.services.movement import movements, moving
from bot.services.queries import (
    action_rows,
    board_cycle,
    counted,
    date_change_rows,
    latest_given,
)
from bot.services.snapshot import iso_day, iso_utc
from bot.services.uow import UnitOfWork
from db.models import Action, Board, Person, Plan, ProgressUpdate, RoleGrant


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
    challenge_log: tuple[ChallengeLine, ...] = ()  # open, answered, and closed since
    closed_since: dt.datetime | None = None  # closed challenges listed are those closed after
    trend: tuple[TrendPoint, ...] = ()  # oldest meeting first, now last


def build_paper(uow: UnitOfWork, board_id: int, meeting: dt.date, now: dt.datetime) -> BoardPaper:
    """The committee paper for the board's meeting on `meeting`, as things stand at `now`."""
    pack, log = build_pack_and_log(uow, board_id, meeting, now)
    board = uow.session.get(Board, board_id)
    assert board is not None  # build_pack has found it
    rows = action_rows(uow.session, now, board_ids=[board.id], latest_with_note=True)
    by_theme: dict[tuple[str, str], list[ActionRow]] = defaultdict(list)
    for row in rows:
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
        challenge_log=_challenge_log(log, pack.updates_since),
        closed_since=pack.updates_since,
        trend=board_trend(uow, board, rows, meeting, now),
    )


def _challenge_log(
    views: list[ChallengeView], closed_after: dt.datetime
) -> tuple[ChallengeLine, ...]:
    """Open and answered challenges, and those closed after `closed_after`, oldest first."""
    kept = [
        v
        for v in views
        if v.state is not ChallengeState.CLOSED
        or (v.closed_at is not None and v.closed_at > closed_after)
    ]
    kept.sort(key=lambda v: (v.asked_at, v.id))
    return tuple(challenge_line(v) for v in kept)


def trend_cutoffs(board: Board, meeting: dt.date, now: dt.datetime) -> list[dt.datetime]:
    """The starts of the board's last six meetings before `meeting` that have started by
    `now`, oldest first."""
    cycle = board_cycle(board)
    found: list[dt.datetime] = []
    day = cycle.previous_meeting(meeting)
    while day is not None and len(found) < TREND_MEETINGS:
        start = cycle.meeting_datetime(day)
        if start <= now:
            found.append(start)
        day = cycle.previous_meeting(day)
    return found[::-1]


def board_trend(
    uow: UnitOfWork, board: Board, rows: list[ActionRow], meeting: dt.date, now: dt.datetime
) -> tuple[TrendPoint, ...]:
    """The board's BRAG and impact mix at each of its last six meetings, then now. Two
    statements a meeting for the statuses (`movements`) and one for every meeting's impact."""
    cutoffs = trend_cutoffs(board, meeting, now)
    today = local_date(now, board.timezone)
    current = trend_point(today, (row_impact(r) for r in rows), is_now=True)
    if not cutoffs or not rows:
        return (current,)
    given = _impact_given(uow, board.id, cutoffs)
    points = []
    history = {r.id: moving(r) for r in rows}
    for index, cutoff in enumerate(cutoffs):
        moved = movements(uow, history, cutoff, board_id=board.id)
        there = []
        for row in rows:
            before = moved[row.id].before if row.id in moved else None
            if before is None:
                continue  # not there yet at that meeting
            impact, evidence = given.get(row.id, {}).get(index, (None, None))
            there.append(ActionImpact(row.ref, before, find_impact(impact), evidence))
        points.append(trend_point(local_date(cutoff, board.timezone), there))
    while points and points[0].actions == 0:  # meetings before the plan was made
        points.pop(0)
    return (*points, current)


def _impact_given(
    uow: UnitOfWork, board_id: int, cutoffs: list[dt.datetime]
) -> dict[int, dict[int, tuple[str | None, str | None]]]:
    """Each action's latest impact judgement and evidence given by each cut-off (its index),
    in one statement."""
    columns = []
    for cutoff in cutoffs:
        columns += [
            latest_given(Action.impact, Action.impact_at, ProgressUpdate.impact, cutoff),
            latest_given(Action.evidence, Action.evidence_at, ProgressUpdate.evidence, cutoff),
        ]
    found: dict[int, dict[int, tuple[str | None, str | None]]] = {}
    for action_id, *values in uow.session.execute(
        select(Action.id, *columns)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Plan.board_id == board_id, counted())
    ):
        found[action_id] = {
            i: (values[2 * i], values[2 * i + 1])
            for i in range(len(cutoffs))
            if values[2 * i] is not None or values[2 * i + 1] is not None
        }
    return found


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
    `escalate_after_working_days`, `action_list` and `impact` per theme,
    `decided_date_changes`, `challenge_log` and `trend`."""
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
                "impact": _impact_json(row_impact(a)),
            }
            for a in theme.actions
        ]
        counted_ = impact_counts(row_impact(a) for a in theme.actions)
        theme_json["impact"] = {
            "delivered": counted_.delivered,
            "impact_evidenced": counted_.impact_evidenced,
            "impact_emerging": counted_.impact_emerging,
            "owing_evidence": counted_.owing_evidence,
        }
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
    data["challenge_log"] = [
        {
            "id": c.label,
            "ref": c.ref,
            "state": c.state,
            "question": c.question,
            "age": c.age,
            "answer": c.answer,
            "answered_by": c.answered_by,
            "asked_by": c.asked_by,
        }
        for c in paper.challenge_log
    ]
    data["trend"] = [
        {
            "date": iso_day(p.day),
            "now": p.is_now,
            "actions": p.actions,
            "statuses": {status.value: n for status, n in p.counts.items()},
            "impact_evidenced": p.impact.impact_evidenced,
            "impact_emerging": p.impact.impact_emerging,
            "impact_not_yet_evidenced": p.not_yet_evidenced,
        }
        for p in paper.trend
    ]
    return data


def _impact_json(judged: ActionImpact) -> dict[str, Any]:
    return {
        "judgement": judged.impact.value if judged.impact else None,
        "evidence": judged.evidence,
        "headline": judged.headline,
    }
