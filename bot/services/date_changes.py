"""The chair's decision on a date change, as one use case.

Deciding enqueues the DM to whoever asked in the same transaction (bot.services.outbox), so
the decision and the message about it are saved together or not at all; delivery sends it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.services import UseCases
from bot.services.board_views import Decision, decision
from bot.services.owner import DateChangeNotice, date_change_notice
from bot.services.plans import Actor
from bot.services.progress import decide_date_change


@dataclass(frozen=True)
class Decided:
    decision: Decision  # what was decided, as the chair is told
    notice: DateChangeNotice  # the request as it now stands, as its messages show it


class DateChangeService(UseCases):
    def decide(
        self,
        actor: Actor,
        request_id: int,
        approve: bool,
        now: dt.datetime,
        note: str | None = None,
    ) -> Decided:
        """Approve or decline (from a button, or `/board approve|decline <number>`)."""
        return self.units.committed(
            lambda uow: Decided(
                decision(decide_date_change(uow, actor, request_id, approve, now, note)),
                date_change_notice(uow, request_id),
            )
        )
