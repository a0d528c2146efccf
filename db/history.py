"""What an action's updates said, kept on the action (see `Action.first_update_at`).

`bot.services.progress` keeps these columns as it records each update (`note_update`).
`refresh_action_history` recomputes them from the updates themselves: for rows written
without the service (bulk loads in benchmarks and tests) and to check that the two agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, ScalarSelect, select, update

from db.models import Action, ProgressUpdate

# The columns `history_after` reads, as the action keeps them.
KEPT = (
    "latest_update_at",
    "first_update_at",
    "status_set_at",
    "impact_at",
    "evidence_at",
)


def history_after(
    kept: Mapping[Any, Any],
    at: dt.datetime,
    *,
    previous_status: str | None,
    status: str | None,
    impact: str | None,
    evidence: str | None,
) -> dict[str, Any]:
    """The action's columns an update at `at` changes (it is the newest by id), given what the
    action keeps now (`kept`: the `KEPT` times).

    The orders match the reads that used to look these up: the newest update and the first
    by (time, id); the latest status set by time, the first of several at one moment; the
    latest impact and evidence by (time, id). `latest_update_at` in the result means the
    update is the action's newest: its id goes in `latest_update_id`."""
    changes: dict[str, Any] = {}
    latest, first = kept["latest_update_at"], kept["first_update_at"]
    if latest is None or at >= latest:
        changes["latest_update_at"] = at
    if first is None or at < first:
        changes["first_update_at"] = at
        changes["first_replaced_status"] = previous_status
    if status and (kept["status_set_at"] is None or at > kept["status_set_at"]):
        changes["status_set_at"] = at
        changes["status_set_to"] = status
    if impact and (kept["impact_at"] is None or at >= kept["impact_at"]):
        changes["impact"] = impact
        changes["impact_at"] = at
    if evidence and (kept["evidence_at"] is None or at >= kept["evidence_at"]):
        changes["evidence"] = evidence
        changes["evidence_at"] = at
    return changes


def note_update(action: Action, update: ProgressUpdate) -> None:
    """Keep the action's columns true after `update` (not yet flushed: it is the newest by id)."""
    changes = history_after(
        {key: getattr(action, key) for key in KEPT},
        update.at,
        previous_status=update.previous_status,
        status=update.status,
        impact=update.impact,
        evidence=update.evidence,
    )
    if "latest_update_at" in changes:
        action.latest_update = update
    for key, value in changes.items():
        setattr(action, key, value)


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
