"""Read models: plans as plain dicts in exactly the shape of DESIGN §7 `plan show --json`,
built in a fixed number of queries whatever the plan's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select

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
    uow: UnitOfWork, workspace_id: int | None = None, plan_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Every plan (or those named) with themes, actions, owners and each action's latest update."""
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
