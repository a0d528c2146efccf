"""`/board`'s reads as use cases: each opens its own unit of work over the read models of
bot.services.board_views and returns one of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from bot.services import board_views as views
from bot.services.plans import Actor
from bot.services.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.services import Units
    from bot.services.digest import Digest, Pack

T = TypeVar("T")


class BoardService:
    """What chairs and members read about a board (DESIGN §4 `/board`)."""

    def __init__(self, units: Units) -> None:
        self.units = units

    def _read(self, query: Callable[[UnitOfWork], T]) -> T:
        with self.units.request() as uow:
            return query(uow)

    def status(self, actor: Actor, board: str | None, now: dt.datetime) -> views.BoardStatus:
        return self._read(lambda uow: views.board_status(uow, actor, board, now))

    def digest(self, actor: Actor, board: str | None, now: dt.datetime) -> Digest:
        return self._read(lambda uow: views.digest_preview(uow, actor, board, now))

    def pack(self, actor: Actor, board: str | None, now: dt.datetime) -> tuple[Pack, bool]:
        """The pack as it stands, and whether the actor may decide its date changes."""
        return self._read(
            lambda uow: (
                views.pack_preview(uow, actor, board, now),
                views.may_decide_date_changes(uow, actor, board),
            )
        )

    def overdue(self, actor: Actor, board: str | None, now: dt.datetime) -> views.OverdueList:
        return self._read(lambda uow: views.overdue_actions(uow, actor, board, now))

    def theme(
        self, actor: Actor, board: str | None, ref: str, now: dt.datetime
    ) -> views.ThemeDetail:
        return self._read(lambda uow: views.theme_detail(uow, actor, board, ref, now))

    def meetings(self, actor: Actor, board: str | None, now: dt.datetime) -> views.MeetingsView:
        return self._read(lambda uow: views.meetings(uow, actor, board, now))

    def history(
        self, actor: Actor, board: str | None, ref: str, now: dt.datetime
    ) -> views.ActionHistory:
        return self._read(lambda uow: views.action_history(uow, actor, board, ref, now))

    def pending(self, actor: Actor, board: str | None, now: dt.datetime) -> views.PendingList:
        return self._read(lambda uow: views.pending_changes(uow, actor, board, now))

    def decide(
        self,
        actor: Actor,
        request_id: int,
        approve: bool,
        now: dt.datetime,
        note: str | None = None,
    ) -> views.Decision:
        """`/board approve|decline <number>`: the chair's decision on a date change."""
        with self.units.request() as uow:
            decision = views.decide(uow, actor, request_id, approve, now, note)
            uow.commit()
        return decision
