"""Read models: plans as plain dicts in exactly the shape of DESIGN §7 `plan show --json`,
built in a fixed number of queries whatever the plan's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bot.core.impact import ActionImpact, find_impact
from bot.core.statuses import Status
from bot.services.queries import latest_update_id
from bot.services.uow import UnitOfWork
from db.models import (
    Action,
    ActionAssignment,
    Board,
    Person,
    Plan,
    ProgressUpdate,
    StatutoryDeadline,
    Theme,
)


def iso_utc(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def iso_day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def plan_snapshots(
    uow: UnitOfWork,
    workspace_id: int | None = None,
    plan_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Every plan (or those named) with themes, actions, owners and each action's latest update,
    impact, and (given `now`) movement since its board's last meeting and challenge log."""
    session = uow.session
    query = select(Plan, Board.name).join(Board, Board.id == Plan.board_id)
    if workspace_id is not None:
        query = query.where(Board.workspace_id == workspace_id)
    if plan_ids is not None:
        query = query.where(Plan.id.in_(plan_ids))
    plans = session.execute(query.order_by(Plan.id)).all()
    if not plans:
        return []
    ids = [plan.id for plan, _ in plans]

    themes = session.scalars(
        select(Theme).where(Theme.plan_id.in_(ids)).order_by(Theme.plan_id, Theme.position)
    ).all()
    actions = session.scalars(
        select(Action)
        .where(Action.plan_id.in_(ids), Action.removed_at.is_(None))
        .order_by(Action.theme_id, Action.position, Action.id)
    ).all()
    owners = session.execute(
        select(ActionAssignment.action_id, Person)
        .join(Person, Person.id == ActionAssignment.person_id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .where(Action.plan_id.in_(ids), ActionAssignment.role == "owner")
        .order_by(ActionAssignment.action_id, ActionAssignment.position)
    ).all()
    latest = latest_updates(uow, ids)
    moved, challenged = _movement_and_challenges(uow, [plan for plan, _ in plans], actions, now)
    deadlines = session.execute(
        select(StatutoryDeadline, Person.name)
        .outerjoin(Person, Person.id == StatutoryDeadline.owner_id)
        .where(StatutoryDeadline.plan_id.in_(ids))
        .order_by(StatutoryDeadline.due, StatutoryDeadline.id)
    ).all()
    deadlines_by_plan: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for deadline, owner_name in deadlines:
        deadlines_by_plan[deadline.plan_id].append(
            {
                "title": deadline.name,
                "due": iso_day(deadline.due),
                "start": iso_day(deadline.start),
                "working_days": deadline.working_days,
                "owner": owner_name,
            }
        )

    owners_by_action: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action_id, person in owners:
        owners_by_action[action_id].append(person_json(person))
    actions_by_theme: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        actions_by_theme[action.theme_id].append(action)
    themes_by_plan: dict[int, list[Theme]] = defaultdict(list)
    for theme in themes:
        themes_by_plan[theme.plan_id].append(theme)

    result = []
    for plan, board_name in plans:
        result.append(
            {
                "title": plan.title,
                "board": board_name,
                "sheet_columns": list(plan.sheet_columns or []),
                "themes": [
                    {
                        "ref": theme.ref,
                        "title": theme.title,
                        "actions": [
                            action_json(
                                action,
                                owners_by_action[action.id],
                                latest.get(action.id),
                            )
                            | {
                                "impact": impact_json(action),
                                "movement": moved.get(action.id),
                                "challenges": challenged.get(action.id, []),
                            }
                            for action in actions_by_theme[theme.id]
                        ],
                    }
                    for theme in themes_by_plan[plan.id]
                ],
                "deadlines": deadlines_by_plan[plan.id],
            }
        )
    return result


def latest_updates(
    uow: UnitOfWork, plan_ids: list[int] | None = None, *, action_ids: list[int] | None = None
) -> dict[int, ProgressUpdate]:
    """Each action's newest progress update (by time, then id), in one query: for the actions
    of some plans, or for some actions."""
    query = (
        select(ProgressUpdate)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(ProgressUpdate.id == latest_update_id(None))
    )
    if action_ids is not None:
        query = query.where(Action.id.in_(action_ids))
    if plan_ids is not None:
        query = query.where(Action.plan_id.in_(plan_ids))
    return {row.action_id: row for row in uow.session.scalars(query)}


def _movement_and_challenges(
    uow: UnitOfWork, plans: list[Plan], actions: Sequence[Action], now: dt.datetime | None
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Each action's `movement` (since its board's last meeting) and `challenges` keys."""
    if now is None or not actions:
        return {}, {}
    from bot.services.challenges import challenge_views  # they build on this module
    from bot.services.movement import last_meeting_before, movements, moving_action

    boards = {plan.id: plan.board for plan in plans}
    moved: dict[int, dict[str, Any]] = {}
    for plan_id, board in boards.items():
        history = {a.id: moving_action(a) for a in actions if a.plan_id == plan_id}
        for action_id, movement in movements(uow, history, last_meeting_before(board, now)).items():
            moved[action_id] = movement.as_json()
    challenged: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_ref = {(a.plan_id, a.ref): a.id for a in actions}
    for view in challenge_views(uow, now, plan_ids=list(boards)):
        found = by_ref.get((view.plan_id, view.ref))
        if found is not None:
            challenged[found].append(
                {
                    "id": view.label,
                    "state": view.state.value,
                    "asked_by": view.asked_by,
                    "asked_at": iso_utc(view.asked_at),
                    "question": view.question,
                    "answer": view.answer,
                    "answered_by": view.answered_by,
                    "answered_at": iso_utc(view.answered_at),
                    "closed_at": iso_utc(view.closed_at),
                    "age": view.age,
                    "steps": [
                        {"kind": s.kind.value, "by": s.by, "at": iso_utc(s.at), "text": s.text}
                        for s in view.steps
                    ],
                }
            )
    return moved, dict(challenged)


def impact_json(action: Action) -> dict[str, Any]:
    """The `impact` key of an action in `plan show --json`: delivery and impact apart, from
    the latest judgement and evidence the action keeps."""
    judged = action_impact_of(action.ref, action.status, action.impact, action.evidence)
    return {
        "judgement": judged.impact.value if judged.impact else None,
        "evidence": judged.evidence,
        "delivered": judged.delivered,
        "evidenced": judged.impact_evidenced,
        "owes_evidence": judged.owes_evidence,
        "headline": judged.headline,
    }


def action_impact_of(
    ref: str, status: str, impact: str | None, evidence: str | None
) -> ActionImpact:
    """An action's delivery and impact from its status and latest judgement and evidence."""
    return ActionImpact(ref, Status(status), find_impact(impact), evidence)


def person_json(person: Person) -> dict[str, Any]:
    return {"name": person.name, "title": person.title, "slack_user": person.slack_user_id}


def action_json(
    action: Action,
    owners: list[dict[str, Any]],
    latest: ProgressUpdate | None,
) -> dict[str, Any]:
    return {
        "ref": action.ref,
        "title": action.title,
        "due": iso_day(action.due_date),
        "due_precision": action.due_precision,
        "due_text": action.due_text if action.due_date is None else None,
        "status": action.status,
        "measures": action.measures,
        "owners": owners,
        "latest_update": update_json(latest) if latest else None,
        "fields": dict(action.fields or {}),
    }


def update_json(update: ProgressUpdate) -> dict[str, Any]:
    return {
        "at": iso_utc(update.at),
        "status": update.status,
        "note": update.note,
        "source": update.source,
    }
