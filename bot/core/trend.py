"""The board's trend: its BRAG and impact mix at each of its last meetings, and now.

A point counts the actions that were there at the cut-off (a meeting's start; an action that
was not there yet is left out) by their status then, and by the impact judgement and evidence
given by then: impact *evidenced* (judged so, with evidence), *emerging*, and the rest, *not
yet evidenced* (which includes actions nobody has judged). The statuses at each cut-off are
read as movement reads them (bot.core.movement, bot.services.movement).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.board_status import StatusCounts, count_statuses
from bot.core.impact import ActionImpact, ImpactCounts, impact_counts

TREND_MEETINGS = 6  # the last six meetings, then now


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date  # the meeting's day, board-local; for the last point, the report's day
    is_now: bool  # the last point: as things stand when the report is made
    counts: StatusCounts
    impact: ImpactCounts

    @property
    def actions(self) -> int:
        return self.counts.total

    @property
    def not_yet_evidenced(self) -> int:
        """Neither evidenced nor emerging (not judged at all counts here too)."""
        return self.impact.actions - self.impact.impact_evidenced - self.impact.impact_emerging


def trend_point(
    day: dt.date, actions: Iterable[ActionImpact], *, is_now: bool = False
) -> TrendPoint:
    """A point of the trend from the actions there then, each with its status and impact then."""
    chosen = list(actions)
    return TrendPoint(
        day=day,
        is_now=is_now,
        counts=count_statuses(a.status.value for a in chosen),
        impact=impact_counts(chosen),
    )
