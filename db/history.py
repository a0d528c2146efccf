"""What an action's updates said, kept on the action (see `Action.first_update_at`).

`bot.services.progress` keeps these columns as it records each update (`note_update`).
`refresh_action_history` recomputes them from the updates themselves: for rows written
without the service (bulk loads in benchmarks and tests) and to check that the two agree.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, ScalarSelect, select, update

from db.models import Action, ProgressUpdate


def note_update(action: Action, update: ProgressUpdate) -> None:
    """Keep the action's columns true after `update` (not yet flushed: it is the newest by id).

    The orders match the reads that used to look these up: the newest update and the first
    by (time, id);
    the latest status set by time, the first of several at one moment; the latest impact and
    evidence by (time, id)."""
    at = update.at
    if action.latest_update_at is None or at >= action.latest_update_at:
        action.latest_update = update
        action.latest_update_at = at
    if action.first_update_at is None or at < action.first_update_at:
        action.first_update_at = at
        action.first_replaced_status = update.previous_status
    if update.status and (action.status_set_at is None or at > action.status_set_at):
        action.status_set_at = at
        action.status_set_to = update.status
    if update.impact and (action.impact_at is None or at >= action.impact_at):
        action.impact = update.impact
        action.impact_at = at
    if update.evidence and (action.evidence_at is None or at >= action.evidence_at):
        action.evidence = update.evidence
        action.evidence_at = at


def _latest(column: Any) -> ScalarSelect[Any]:
    return (
        select(column)
        .where(ProgressUpdate.action_id == Action.id)
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _first(column: Any) -> ScalarSelect[Any]:
    return (
        select(column)
        .where(ProgressUpdate.action_id == Action.id)
        .order_by(ProgressUpdate.at, ProgressUpdate.id)
        .limit(1)
        .scalar_subquery()
    )


def _latest_given(column: Any, given: Any, *, first_at_a_moment: bool = False) -> ScalarSelect[Any]:
    tie = ProgressUpdate.id if first_at_a_moment else ProgressUpdate.id.desc()
    return (
        select(column)
        .where(ProgressUpdate.action_id == Action.id, given.is_not(None), given != "")
        .order_by(ProgressUpdate.at.desc(), tie)
        .limit(1)
        .scalar_subquery()
    )


def refresh_action_history(
    connection: Connection, action_ids: Collection[int] | None = None
) -> None:
    """Recompute the columns from the updates, for the given actions (every action when None)."""
    status, impact, evidence = ProgressUpdate.status, ProgressUpdate.impact, ProgressUpdate.evidence
    statement = update(Action).values(
        first_update_at=_first(ProgressUpdate.at),
        first_replaced_status=_first(ProgressUpdate.previous_status),
        status_set_at=_latest_given(ProgressUpdate.at, status, first_at_a_moment=True),
        status_set_to=_latest_given(status, status, first_at_a_moment=True),
        impact=_latest_given(impact, impact),
        impact_at=_latest_given(ProgressUpdate.at, impact),
        evidence=_latest_given(evidence, evidence),
        evidence_at=_latest_given(ProgressUpdate.at, evidence),
        latest_update_id=_latest(ProgressUpdate.id),
        latest_update_at=_latest(ProgressUpdate.at),
    )
    if action_ids is not None:
        statement = statement.where(Action.id.in_(action_ids))
    connection.execute(statement)
