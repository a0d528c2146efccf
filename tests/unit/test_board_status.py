"""Status by theme and the digest, composed from plain rows on exact days."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.core.board_status import (
    ActionRow,
    LatestUpdate,
    StatusCounts,
    ThemeRow,
    Who,
    count_statuses,
    due_soon,
    not_updated_since,
    overdue,
    stale,
    status_by_theme,
    working_days_overdue,
)
from bot.core.calendar import calendar_for
from bot.core.digest import BoardFacts, DateChange, StatusChange, compose_digest, not_updated
from bot.core.refs import ref_key
from bot.core.statuses import Status

D = dt.date
UTC = dt.UTC
ENG = calendar_for("ENG")
TODAY = D(2019, 5, 7)  # a Tuesday; Monday 6 May 2019 was a bank holiday
NOW = dt.datetime(2019, 5, 7, 8, 0, tzinfo=UTC)  # 09:00 in London
PLAN_CREATED = dt.datetime(2019, 1, 2, 9, 0, tzinfo=UTC)
JANE = Who("Jane Doe", "U1")
AMIR = Who("amir Khan", None)

THEMES = (
    ThemeRow(1, 1, "ILACS plan", PLAN_CREATED, 1, "4", "Placement stability"),
    ThemeRow(2, 1, "ILACS plan", PLAN_CREATED, 1, "5", "Care leavers"),
    ThemeRow(3, 1, "ILACS plan", PLAN_CREATED, 1, "6", "Nothing yet"),
)


def row(
    ref: str,
    status: str,
    due: dt.date | None,
    *,
    theme: int = 1,
    owners: tuple[tuple[int, Who], ...] = ((1, JANE),),
    latest: dt.datetime | None = None,
) -> ActionRow:
    return ActionRow(
        id=int(ref.replace(".", "")),
        plan_id=1,
        plan="ILACS plan",
        board_id=1,
        board="Improvement Board",
        timezone="Europe/London",
        theme_id=theme,
        theme_ref=str(3 + theme),
        ref=ref,
        title=f"Action {ref}",
        status=status,
        due=due,
        due_precision="day",
        owners=tuple(who for _, who in owners),
        owner_ids=tuple(person_id for person_id, _ in owners),
        latest=LatestUpdate(latest, "Jane Doe", status, "noted") if latest else None,
        working_days_overdue=working_days_overdue(ENG, due, status, TODAY),
    )


ROWS = [
    row("4.1", "green", D(2019, 5, 3), latest=dt.datetime(2019, 5, 1, tzinfo=UTC)),
    row("4.2", "amber", D(2019, 4, 1), owners=((2, AMIR), (1, JANE))),
    row("4.3", "blue", D(2019, 3, 1)),
    row("4.4", "red", TODAY, latest=dt.datetime(2019, 4, 7, 8, 0, tzinfo=UTC)),
    row("5.1", "not_started", D(2019, 5, 21), theme=2),
    row("5.2", "green", D(2019, 5, 22), theme=2, latest=dt.datetime(2019, 5, 6, tzinfo=UTC)),
    row("5.3", "green", None, theme=2, latest=dt.datetime(2019, 5, 6, tzinfo=UTC)),
]


def refs(rows: list[ActionRow]) -> list[str]:
    return [r.ref for r in rows]


def test_working_days_overdue_counts_the_board_calendar() -> None:
    # Friday 3 May to Tuesday 7 May 2019: the weekend and the bank holiday don't count.
    assert working_days_overdue(ENG, D(2019, 5, 3), "green", TODAY) == 1
    # 1 April to 7 May 2019: Good Friday, Easter Monday and 6 May are holidays.
    assert working_days_overdue(ENG, D(2019, 4, 1), "amber", TODAY) == 23
    assert working_days_overdue(ENG, TODAY, "red", TODAY) is None  # due today: not yet
    assert working_days_overdue(ENG, D(2019, 3, 1), "blue", TODAY) is None
    assert working_days_overdue(ENG, None, "red", TODAY) is None


def test_counts_by_brag_and_percent_complete() -> None:
    counts = count_statuses(["green", "green", "blue", "amber", "unknown"])
    assert counts == StatusCounts(green=2, blue=1, amber=1)
    assert counts.total == 4 and counts.percent_complete == 25
    assert counts[Status.GREEN] == 2 and counts["blue"] == 1
    assert counts.get(Status.RED) == 0 and counts.get("purple", 9) == 9
    assert sum(counts.values()) == 4
    assert StatusCounts().percent_complete == 0
    assert count_statuses(["blue", "blue", "green"]).percent_complete == 67


def test_status_by_theme_keeps_the_themes_order_and_counts_overdue() -> None:
    themes = status_by_theme(THEMES, ROWS)
    assert [(t.ref, t.counts.total, t.overdue, t.percent_complete) for t in themes] == [
        ("4", 4, 2, 25),
        ("5", 3, 0, 0),
        ("6", 0, 0, 0),
    ]
    assert themes[0].counts == StatusCounts(green=1, amber=1, blue=1, red=1)


def test_overdue_lists_the_most_overdue_first() -> None:
    assert refs(overdue(ROWS)) == ["4.2", "4.1"]
    assert [r.working_days_overdue for r in overdue(ROWS)] == [23, 1]


def test_due_soon_runs_from_today_for_fourteen_days() -> None:
    soon = due_soon(ROWS, TODAY)
    # 4.4 is due today (0 days left); 5.1 on the 14th day; 5.2 on the 15th is not soon.
    assert [(r.ref, left) for r, left in soon] == [("4.4", 0), ("5.1", 14)]
    assert due_soon([ROWS[3]._replace(status="blue")], TODAY) == []


def test_stale_counts_a_never_updated_action_from_its_plan() -> None:
    quiet = stale(ROWS, NOW, dt.timedelta(days=30), {1: PLAN_CREATED, 2: PLAN_CREATED})
    # 4.2 and 5.1 were never updated (since the plan, 2 January); 4.4's update was exactly
    # 30 days ago (not more), 4.3 is complete.
    assert [(r.ref, last) for r, last in quiet] == [("4.2", PLAN_CREATED), ("5.1", PLAN_CREATED)]
    later = stale(ROWS, NOW + dt.timedelta(minutes=1), dt.timedelta(days=30), {1: NOW, 2: NOW})
    assert refs([r for r, _ in later]) == ["4.4"]


def test_owners_not_updated_since_are_listed_by_name() -> None:
    since = dt.datetime(2019, 5, 2, tzinfo=UTC)
    found = not_updated_since(ROWS, since)
    # 4.1's update on 1 May is before `since`; 5.2 and 5.3 were updated on 6 May.
    assert found == [(2, AMIR, ["4.2"]), (1, JANE, ["4.1", "4.2", "4.4", "5.1"])]
    assert [n.who for n in not_updated(ROWS, since)] == [AMIR, JANE]


def test_compose_digest_puts_each_list_under_its_theme() -> None:
    board = BoardFacts(1, "Improvement Board", "Europe/London", stale_days=30)
    since = NOW - dt.timedelta(days=7)
    change = StatusChange("4.1", "Action 4.1", "amber", "green", "Jane Doe", since)
    moved_late = DateChange("5.1", "t", None, D(2019, 6, 1), "day", "r", "Chair", NOW)
    moved_early = replace(moved_late, ref="5.2", decided_at=since)
    digest = compose_digest(
        board, THEMES, ROWS, [(1, change)], [(2, moved_late), (2, moved_early)], 3, NOW, since
    )
    assert digest.today == TODAY and digest.stale_days == 30
    assert digest.totals.actions == 7 and digest.totals.overdue == 2
    assert digest.totals.due_soon == 2 and digest.totals.stale == 2
    assert digest.totals.pending_date_changes == 3
    four, five, six = digest.themes
    assert [(a.ref, a.working_days, a.theme_ref) for a in four.overdue] == [
        ("4.2", 23, "4"),
        ("4.1", 1, "4"),
    ]
    assert [(a.ref, a.days_left) for a in four.due_soon + five.due_soon] == [
        ("4.4", 0),
        ("5.1", 14),
    ]
    assert [(s.ref, s.last_update, s.days_since) for s in four.stale + five.stale] == [
        ("4.2", None, None),
        ("5.1", None, None),
    ]
    assert four.changes == (change,) and five.changes == ()
    assert [c.ref for c in five.date_changes] == ["5.2", "5.1"]  # in the order decided
    assert six.counts.total == 0 and six.overdue == ()


def test_ref_key_reads_refs_as_people_do() -> None:
    assert sorted(["4.10", "4.2", "b.1", "A.2", "a.1", "10.1", "4-3"], key=ref_key) == [
        "4.2",
        "4-3",
        "4.10",
        "10.1",
        "a.1",
        "A.2",
        "b.1",
    ]
