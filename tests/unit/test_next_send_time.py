"""A board's next send time: the first moment after now at which planning it could enqueue
anything (its send time on its next working, unpaused day), on exact dates."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.deadlines import Deadline
from bot.core.meetings import MeetingCycle
from bot.core.reminder_policy import ReminderPolicy
from bot.core.reminders import (
    EVERY_ACTION,
    ActionFacts,
    BoardFacts,
    DeadlineFacts,
    PersonRef,
    actions_in_scope,
    deadline_messages_due,
    messages_due,
    next_send_time,
)

UTC = dt.UTC
JANE = PersonRef(1, "Jane Doe", "UJANE00000")
CHAIR = PersonRef(4, "Chris Chair", "UCHAIR0000")


def board(**overrides: object) -> BoardFacts:
    values: dict[str, object] = {"id": 1, "name": "Improvement Board", "chair": CHAIR}
    values.update(overrides)
    return BoardFacts(**values)  # type: ignore[arg-type]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected", "why"),
    [
        # Thursday 16 May 2019, BST: 09:00 local is 08:00 UTC.
        (utc(2019, 5, 16, 7, 59), utc(2019, 5, 16, 8, 0), "before 09:00: today's"),
        (utc(2019, 5, 16, 8, 0), utc(2019, 5, 17, 8, 0), "at 09:00 today's is planned now"),
        (utc(2019, 5, 16, 15, 0), utc(2019, 5, 17, 8, 0), "afternoon: tomorrow's"),
        # Friday afternoon: over the weekend to Monday.
        (utc(2019, 5, 17, 9, 30), utc(2019, 5, 20, 8, 0), "weekend skipped"),
        (utc(2019, 5, 18, 12, 0), utc(2019, 5, 20, 8, 0), "on a Saturday"),
        # Easter 2019: Good Friday 19 April and Easter Monday 22 April are bank holidays.
        (utc(2019, 4, 18, 9, 0), utc(2019, 4, 23, 8, 0), "Good Friday to Easter Monday"),
        # Spring bank holiday, Monday 27 May 2019.
        (utc(2019, 5, 24, 10, 0), utc(2019, 5, 28, 8, 0), "late May bank holiday"),
        # Clocks go forward on Sunday 31 March 2019: Friday 09:00 GMT, Monday 09:00 BST.
        (utc(2019, 3, 29, 9, 0), utc(2019, 4, 1, 8, 0), "into summer time"),
        (utc(2019, 3, 29, 8, 59), utc(2019, 3, 29, 9, 0), "last winter morning"),
        # Clocks go back on Sunday 27 October 2019: Monday 09:00 GMT is 09:00 UTC.
        (utc(2019, 10, 25, 8, 0), utc(2019, 10, 28, 9, 0), "back to winter time"),
        # Christmas 2019: 25 and 26 December, a Wednesday and a Thursday.
        (utc(2019, 12, 24, 10, 0), utc(2019, 12, 27, 9, 0), "Christmas and Boxing Day"),
    ],
)
def test_next_send_time_england(now: dt.datetime, expected: dt.datetime, why: str) -> None:
    assert next_send_time(board(), now) == expected, why


def test_the_region_decides_the_bank_holidays() -> None:
    # 2 January is a bank holiday in Scotland only; 1 January 2019 (Tuesday) everywhere.
    new_year = utc(2018, 12, 31, 10, 0)
    assert next_send_time(board(region="ENG"), new_year) == utc(2019, 1, 2, 9, 0)
    assert next_send_time(board(region="SCT"), new_year) == utc(2019, 1, 3, 9, 0)
    # St Patrick's Day, Monday 18 March 2019 (observed), in Northern Ireland only.
    friday = utc(2019, 3, 15, 10, 0)
    assert next_send_time(board(region="NIR"), friday) == utc(2019, 3, 19, 9, 0)
    assert next_send_time(board(region="ENG"), friday) == utc(2019, 3, 18, 9, 0)


def test_the_board_time_zone_and_send_time() -> None:
    new_york = board(timezone="America/New_York")
    # Thursday 16 May 2019 10:00 UTC is 06:00 EDT: 09:00 EDT is 13:00 UTC the same day.
    assert next_send_time(new_york, utc(2019, 5, 16, 10, 0)) == utc(2019, 5, 16, 13, 0)
    early = board(policy=ReminderPolicy(send_at=dt.time(7, 30)))
    assert next_send_time(early, utc(2019, 5, 16, 6, 0)) == utc(2019, 5, 16, 6, 30)
    assert next_send_time(early, utc(2019, 5, 16, 6, 30)) == utc(2019, 5, 17, 6, 30)


def test_a_paused_board_sends_from_the_first_working_day_after_its_pause() -> None:
    # Paused until Friday 24 May 2019; Monday 27 May is a bank holiday.
    paused = board(paused_until=dt.date(2019, 5, 24))
    assert next_send_time(paused, utc(2019, 5, 16, 10, 0)) == utc(2019, 5, 28, 8, 0)
    # Paused until yesterday: as if never paused.
    ended = board(paused_until=dt.date(2019, 5, 15))
    assert next_send_time(ended, utc(2019, 5, 16, 7, 0)) == utc(2019, 5, 16, 8, 0)


def test_planning_only_at_next_send_times_misses_nothing() -> None:
    """Over March–May 2019 (clocks changing, Easter, two bank holidays): planning a board
    with meetings, due dates, a deadline and a pause only at its next send times enqueues
    exactly what planning it every 30 minutes would."""
    cycle = MeetingCycle(rule="FREQ=MONTHLY;BYDAY=+2TU", start=dt.date(2019, 1, 1))
    b = board(meetings=cycle, channel_id="CBOARD", paused_until=dt.date(2019, 4, 10), chair=CHAIR)
    actions = [
        ActionFacts(n, f"1.{n}", "A", 1, dt.date(2019, 3, 1) + dt.timedelta(days=9 * n),
                    "amber", (JANE,))
        for n in range(1, 10)
    ]  # fmt: skip
    deadlines = [DeadlineFacts(7, 1, Deadline("Statement", dt.date(2019, 5, 20)), JANE)]

    def keys_at(moment: dt.datetime) -> set[str]:
        found = messages_due([b], actions, moment) + deadline_messages_due([b], deadlines, moment)
        return {m.key for m in found}

    start, end = utc(2019, 3, 1, 0, 0), utc(2019, 6, 1, 0, 0)
    every_half_hour: set[str] = set()
    moment = start
    while moment < end:
        every_half_hour |= keys_at(moment)
        moment += dt.timedelta(minutes=30)
    at_send_times: set[str] = set()
    moment = start
    while moment < end:
        at_send_times |= keys_at(moment)
        moment = next_send_time(b, moment)
    assert every_half_hour
    assert at_send_times == every_half_hour


def test_planning_reads_only_the_actions_that_may_send() -> None:
    """On every day of March–June 2019, the actions actions_in_scope leaves out send nothing,
    and (but on meeting-ask days) every dated action it keeps sends something unless it is
    overdue longer than the rules are worked out for: the messages from the actions it keeps
    are the messages from all of them."""
    cycle = MeetingCycle(rule="FREQ=MONTHLY;BYDAY=+2TU", start=dt.date(2019, 1, 1))
    b = board(meetings=cycle, policy=ReminderPolicy(due=(10, 3, 0), overdue=5))
    actions = [
        ActionFacts(n, f"1.{n}", "A", 1, dt.date(2019, 2, 1) + dt.timedelta(days=n), "amber",
                    (PersonRef(n, f"Owner {n}"),))
        for n in range(1, 160)
    ] + [
        ActionFacts(1000 + n, f"2.{n}", "Late", 1, dt.date(2017, 12, 1) + dt.timedelta(days=n),
                    "red", (PersonRef(1000 + n, f"Late {n}"),))
        for n in range(0, 200, 3)
    ] + [ActionFacts(999, "9.9", "Undated", 1, None, "red", (JANE,))]  # fmt: skip
    kinds = set()
    moment = utc(2019, 3, 1, 0, 0)
    while moment < utc(2019, 7, 1, 0, 0):
        scope = actions_in_scope(b, moment)
        kept = [a for a in actions if scope is not None and scope.includes(a.due)]
        everything = messages_due([b], actions, moment)
        assert messages_due([b], kept, moment) == everything, moment
        kinds |= {i.reason for m in everything for i in m.items}
        assert (scope is None) == (not everything), moment
        if scope is not None and scope != EVERY_ACTION:
            assert scope.due_before is not None
            worked_out = [a for a in kept if a.due is not None and a.due >= scope.due_before]
            sending = {i.action_id for m in everything for i in m.items}
            assert {a.id for a in worked_out} <= sending, moment
        moment = next_send_time(b, moment)
    assert kinds == {"due_soon", "overdue", "escalation", "meeting_window", "meeting_last_call"}
