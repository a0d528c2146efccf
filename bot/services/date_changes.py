"""The chair's decision on a date change, as one use case.

Deciding enqueues the DM to whoever asked in the same transaction (bot.services.outbox), so
the decision and the message about it are saved together or not at all; delivery sends it.
"""

from __future__ import annotations

import datetime as dt

from bot.services import Units
from bot.services.board_views import Decision
from bot.services.board_views import decide as decide_by_number
from bot.services.owner import DateChangeNotice, date_change_notice
from bot.services.plans import Actor
from bot.services.progress import decide_date_change


class DateChangeService:
    def __init__(self, units: Units) -> None:
        self.units = units

    def decide(
        self,
        actor: Actor,
        request_id: int,
        approve: bool,
        now: dt.datetime,
        note: str | None = None,
    ) -> DateChangeNotice:
        """Approve or decline; the request as it now stands."""
        with self.units.request() as uow:
            decide_date_change(uow, actor, request_id, approve, now, note)
            notice = date_change_notice(uow, request_id)
            uow.commit()
        return notice

    def decide_by_number(
        self,
        actor: Actor,
        request_id: int,
        approve: bool,
        now: dt.datetime,
        note: str | None = None,
    ) -> Decision:
        """`/board approve|decline <number>`: the same decision, said as the chair sees it."""
        with self.units.request() as uow:
            decision = decide_by_number(uow, actor, request_id, approve, now, note)
            uow.commit()
        return decision
