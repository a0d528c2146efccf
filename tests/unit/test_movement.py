"""Movement since the last board: status then and now, slips, and each theme's line."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.movement import (
    BRAG_ORDER,
    SYMBOLS,
    ActionMovement,
    DueChange,
    Movement,
    StatusHistory,
    ThemeMovement,
    last_meeting,
    movement,
    slips_since,
    status_at_cutoff,
    theme_movement,
)
from bot.core.statuses import Status
from db.history import note_update
from db.models import Action, ProgressUpdate

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
    # plan made 1 Feb; first update 1 Mar (not started → amber); green set on 19 Mar
    history = StatusHistory(at(2, 1), at(3, 1), "not_started", at(3, 19), "green")
    assert status_at_cutoff(history, G, MEETING, (at(3, 1), "amber")) is A
    assert status_at_cutoff(history, G, at(3, 1), (at(3, 1), "amber")) is A  # at it counts
    assert status_at_cutoff(history, G, at(2, 20), (None, None)) is N  # before any update
    assert status_at_cutoff(history, G, at(1, 1), (None, None)) is None  # not yet created
    assert status_at_cutoff(history, G, at(3, 20)) is G  # nothing set since: its latest
    never_updated = StatusHistory(at(2, 1))
    assert status_at_cutoff(never_updated, A, MEETING) is A
    assert status_at_cutoff(never_updated, A, at(1, 1)) is None
    # updated before its plan was recorded (an import of older updates): there from then on
    early = StatusHistory(at(3, 15), at(3, 10), "red", at(3, 10), "red")
    assert status_at_cutoff(early, R, at(3, 10)) is R
    assert status_at_cutoff(early, R, at(3, 5)) is None


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
    moved = ActionMovement("4.1", R, G, 1, MEETING)
    assert moved.movement is Movement.IMPROVED
    assert moved.as_json() == {
        "since": "2019-03-12T10:00:00+00:00",
        "at_last_meeting": "red",
        "now": "green",
        "movement": "improved",
        "symbol": "↑",
        "slips": 1,
    }
    fresh = ActionMovement("4.9", None, A, 0, MEETING)
    assert fresh.movement is Movement.NEW and fresh.as_json()["at_last_meeting"] is None
    first_board = ActionMovement("4.1", None, G, 0, None)
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


# The status at a cut-off, read from what the action keeps (db.history.note_update, kept as
# each update is recorded, in any order of their times) agrees with reading every update.

_STATUSES = st.sampled_from(list(Status))
_MINUTES = st.integers(min_value=0, max_value=60 * 24 * 20)
_START = dt.datetime(2019, 3, 1, tzinfo=UTC)


def _moment(minutes: int) -> dt.datetime:
    return _START + dt.timedelta(minutes=minutes)


def _read_from_every_update(
    updates: list[tuple[int, Status, Status]],
    created: dt.datetime,
    now: Status,
    cutoff: dt.datetime,
) -> Status | None:
    if not updates:
        return now if created <= cutoff else None
    ordered = sorted(enumerate(updates), key=lambda u: (u[1][0], u[0]))  # by time, then id
    first_at, replaced, _ = ordered[0][1]
    if min(created, _moment(first_at) - dt.timedelta(microseconds=1)) > cutoff:
        return None
    by_then = [(at, i, status) for i, (at, _, status) in ordered if _moment(at) <= cutoff]
    if by_then:
        latest = max(at for at, _, _ in by_then)
        return next(status for at, _, status in by_then if at == latest)  # first at a moment
    return replaced


@settings(max_examples=300, deadline=None)
@given(
    updates=st.lists(st.tuples(_MINUTES, _STATUSES, _STATUSES), max_size=8),
    created=_MINUTES,
    cutoff=_MINUTES,
    today=_STATUSES,
)
def test_the_status_at_a_cut_off_kept_on_the_action_matches_every_update(
    updates: list[tuple[int, Status, Status]], created: int, cutoff: int, today: Status
) -> None:
    action = Action()
    for at_minutes, before, after in updates:
        update = ProgressUpdate(
            at=_moment(at_minutes), previous_status=before.value, status=after.value
        )
        note_update(action, update)
    history = StatusHistory(
        _moment(created),
        action.first_update_at,
        action.first_replaced_status,
        action.status_set_at,
        action.status_set_to,
    )
    now = Status(updates[-1][2]) if updates else today
    cut = _moment(cutoff)
    set_by_cutoff = None
    if history.set_at is not None and history.set_at > cut:  # as the service looks it up
        ordered = sorted(enumerate(updates), key=lambda u: (-u[1][0], u[0]))
        found = [
            (_moment(at), status.value) for _, (at, _, status) in ordered if _moment(at) <= cut
        ]
        set_by_cutoff = found[0] if found else (None, None)
    expected = _read_from_every_update(updates, _moment(created), now, cut)
    assert status_at_cutoff(history, now, cut, set_by_cutoff) is expected
