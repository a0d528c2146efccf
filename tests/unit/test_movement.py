"""Movement since the last board: status then and now, slips, and each theme's line."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.movement import (
    BRAG_ORDER,
    SYMBOLS,
    ActionMovement,
    DueChange,
    Movement,
    StatusChange,
    ThemeMovement,
    action_movement,
    last_meeting,
    movement,
    slips_since,
    status_as_of,
    theme_movement,
)
from bot.core.statuses import Status

UTC = dt.UTC
R, A, N, G, B = Status.RED, Status.AMBER, Status.NOT_STARTED, Status.GREEN, Status.BLUE
MEETING = dt.datetime(2019, 3, 12, 10, tzinfo=UTC)  # Tuesday 12 March 2019, 10:00


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2019, month, day, hour, tzinfo=UTC)


def test_the_brag_order_puts_not_started_between_amber_and_green() -> None:
    assert BRAG_ORDER == (R, A, N, G, B)
    assert set(BRAG_ORDER) == set(Status)


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (None, G, Movement.NEW),
        (None, R, Movement.NEW),
        (R, A, Movement.IMPROVED),
        (A, G, Movement.IMPROVED),
        (G, B, Movement.IMPROVED),
        (R, B, Movement.IMPROVED),
        (N, G, Movement.IMPROVED),  # started on track
        (N, B, Movement.IMPROVED),
        (N, A, Movement.WORSENED),  # started at risk
        (N, R, Movement.WORSENED),
        (G, N, Movement.WORSENED),
        (B, G, Movement.WORSENED),  # reopened
        (G, A, Movement.WORSENED),
        (A, R, Movement.WORSENED),
        (A, A, Movement.SAME),
        (N, N, Movement.SAME),
        (B, B, Movement.SAME),
    ],
)
def test_movement(before: Status | None, now: Status, expected: Movement) -> None:
    assert movement(before, now) is expected


def test_symbols() -> None:
    assert [SYMBOLS[m] for m in Movement] == ["↑", "↓", "=", "new"]
    assert ActionMovement("4.1", Status.RED, Status.GREEN, 0, MEETING).symbol == "↑"


def test_the_cut_off_is_the_latest_meeting_that_has_started() -> None:
    meetings = [at(2, 12, 10), MEETING, at(4, 9, 10)]
    assert last_meeting(meetings, at(3, 20)) == MEETING
    assert last_meeting(meetings, MEETING) == MEETING  # it has started
    assert last_meeting(meetings, at(3, 12, 9)) == at(2, 12, 10)  # not yet that morning
    assert last_meeting(meetings, at(1, 1)) is None
    assert last_meeting([], at(3, 20)) is None


def test_status_at_the_cut_off() -> None:
    changes = [StatusChange(at(2, 1), N), StatusChange(at(3, 1), A), StatusChange(at(3, 19), G)]
    assert status_as_of(changes, MEETING) is A
    assert status_as_of(changes, at(3, 1)) is A  # a change at the cut-off counts
    assert status_as_of(changes, at(1, 1)) is None  # not yet created
    assert status_as_of(list(reversed(changes)), MEETING) is A  # any order


def test_slips_are_due_dates_moved_later_after_the_cut_off() -> None:
    changes = [
        DueChange(at(3, 1), dt.date(2019, 5, 31), dt.date(2019, 6, 30)),  # before the meeting
        DueChange(at(3, 14), dt.date(2019, 6, 30), dt.date(2019, 7, 31)),
        DueChange(at(3, 20), dt.date(2019, 7, 31), dt.date(2019, 7, 15)),  # brought forward
        DueChange(at(3, 25), dt.date(2019, 7, 15), dt.date(2019, 9, 30)),
    ]
    assert slips_since(changes, MEETING) == 2
    assert slips_since(changes, None) == 3  # no meeting yet: every slip
    assert slips_since([], MEETING) == 0


def test_an_actions_movement_and_its_json() -> None:
    moved = action_movement(
        "4.1",
        G,
        [StatusChange(at(1, 10), N), StatusChange(at(3, 1), R), StatusChange(at(3, 20), G)],
        [DueChange(at(3, 14), dt.date(2019, 6, 30), dt.date(2019, 7, 31))],
        MEETING,
    )
    assert moved == ActionMovement("4.1", R, G, 1, MEETING)
    assert moved.movement is Movement.IMPROVED
    assert moved.as_json() == {
        "since": "2019-03-12T10:00:00+00:00",
        "at_last_meeting": "red",
        "now": "green",
        "movement": "improved",
        "symbol": "↑",
        "slips": 1,
    }
    fresh = action_movement("4.9", A, [StatusChange(at(3, 15), A)], [], MEETING)
    assert fresh.movement is Movement.NEW and fresh.as_json()["at_last_meeting"] is None
    first_board = action_movement("4.1", G, [StatusChange(at(1, 10), N)], [], None)
    assert first_board.movement is Movement.NEW and first_board.as_json()["since"] is None


def test_each_theme_sums_up_in_one_line() -> None:
    day = dt.date(2019, 3, 12)
    moves = [
        ActionMovement("4.1", R, G, 1, MEETING),
        ActionMovement("4.2", A, G, 0, MEETING),
        ActionMovement("4.3", G, A, 2, MEETING),
        ActionMovement("4.4", G, G, 0, MEETING),
    ]
    summary = theme_movement(moves, day)
    assert summary == ThemeMovement(better=2, worse=1, same=1, new=0, slips=3, since=day)
    assert summary.line == "2 better, 1 worse since 12 March 2019"
    with_new = theme_movement([*moves, ActionMovement("4.5", None, N, 0, MEETING)], day)
    assert with_new.line == "2 better, 1 worse, 1 new since 12 March 2019"
    assert theme_movement(moves[3:], day).line == "no change since 12 March 2019"
    assert theme_movement([], day).line == "no change since 12 March 2019"
    none_yet = theme_movement([ActionMovement("4.1", None, G, 0, None)] * 3, None)
    assert none_yet.line == "3 new (no meeting yet to compare with)"
