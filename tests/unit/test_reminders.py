"""Reminder rules under a fixed calendar: exact dates, bank holidays, BST, batching."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.calendar import calendar_for
from bot.core.meetings import MeetingCycle
from bot.core.reminder_policy import ReminderPolicy
from bot.core.reminders import (
    DIGEST,
    DUE_SOON,
    ESCALATED,
    ESCALATION,
    MEETING_LAST_CALL,
    MEETING_WINDOW,
    OVERDUE,
    PACK,
    REMINDER,
    ActionFacts,
    BoardFacts,
    Message,
    PersonRef,
    batch,
    board_messages,
    messages_due,
)

JANE = PersonRef(1, "Jane Doe", "UJANE00000")
OMAR = PersonRef(2, "Omar Owner", None)
LEAD = PersonRef(3, "Lee Lead", "ULEAD00000")
CHAIR = PersonRef(4, "Chris Chair", "UCHAIR0000")
LONDON = "Europe/London"


def board(**overrides: object) -> BoardFacts:
    values: dict[str, object] = {"id": 1, "name": "Improvement Board", "chair": CHAIR}
    values.update(overrides)
    return BoardFacts(**values)  # type: ignore[arg-type]


def action(
    ref: str = "4.1", due: dt.date | None = dt.date(2019, 5, 31), **kw: object
) -> ActionFacts:
    values: dict[str, object] = {
        "id": int(ref.replace(".", "")),
        "ref": ref,
        "title": f"Action {ref}",
        "board_id": 1,
        "due": due,
        "status": "amber",
        "owners": (JANE,),
        "theme_lead": LEAD,
    }
    values.update(kw)
    return ActionFacts(**values)  # type: ignore[arg-type]


def days_with(messages_by_day: dict[dt.date, list[Message]], kind: str) -> dict[dt.date, list]:
    return {
        day: [(i.reason, i.working_days) for m in ms if m.kind == kind for i in m.items]
        for day, ms in messages_by_day.items()
        if any(m.kind == kind for m in ms)
    }


def run_year(
    b: BoardFacts, actions: list[ActionFacts], start: dt.date, end: dt.date
) -> dict[dt.date, list[Message]]:
    out: dict[dt.date, list[Message]] = {}
    day = start
    while day <= end:
        found = batch(board_messages(b, actions, day))
        if found:
            out[day] = found
        day += dt.timedelta(days=1)
    return out


def test_due_soon_and_overdue_around_the_spring_bank_holiday_2019() -> None:
    found = run_year(board(), [action()], dt.date(2019, 5, 1), dt.date(2019, 6, 30))
    reminders = days_with(found, REMINDER)
    assert reminders == {
        dt.date(2019, 5, 16): [(DUE_SOON, 10)],
        dt.date(2019, 5, 28): [(DUE_SOON, 3)],  # Monday 27 May is a bank holiday
        dt.date(2019, 5, 31): [(DUE_SOON, 0)],
        dt.date(2019, 6, 7): [(OVERDUE, 5)],
        dt.date(2019, 6, 14): [(OVERDUE, 10)],
        dt.date(2019, 6, 21): [(OVERDUE, 15)],
        dt.date(2019, 6, 28): [(OVERDUE, 20)],
    }
    escalations = {
        day: sorted(m.to for m in ms if m.kind == ESCALATION) for day, ms in found.items()
    }
    assert {d: who for d, who in escalations.items() if who} == {
        dt.date(2019, 6, 14): ["UCHAIR0000", "ULEAD00000"]
    }
    [escalation] = [m for m in found[dt.date(2019, 6, 14)] if m.to == "ULEAD00000"]
    assert [(i.reason, i.working_days) for i in escalation.items] == [(ESCALATED, 10)]


def test_due_on_a_saturday_is_due_the_friday_before() -> None:
    due = dt.date(2019, 8, 31)  # a Saturday; Monday 26 August is a bank holiday
    found = run_year(board(), [action(due=due)], dt.date(2019, 8, 1), dt.date(2019, 9, 10))
    reminders = days_with(found, REMINDER)
    assert reminders[dt.date(2019, 8, 30)] == [(DUE_SOON, 0)]
    assert reminders[dt.date(2019, 8, 27)] == [(DUE_SOON, 3)]
    assert reminders[dt.date(2019, 8, 15)] == [(DUE_SOON, 10)]
    assert dt.date(2019, 9, 6) in reminders and reminders[dt.date(2019, 9, 6)] == [(OVERDUE, 5)]


def test_overdue_counts_skip_christmas_and_new_year() -> None:
    found = run_year(
        board(), [action(due=dt.date(2019, 12, 20))], dt.date(2019, 12, 21), dt.date(2020, 1, 20)
    )
    reminders = days_with(found, REMINDER)
    assert reminders == {
        dt.date(2019, 12, 31): [(OVERDUE, 5)],
        dt.date(2020, 1, 8): [(OVERDUE, 10)],
        dt.date(2020, 1, 15): [(OVERDUE, 15)],
    }


def test_scotland_keeps_2_january() -> None:
    due = dt.date(2019, 12, 20)
    england = days_with(
        run_year(board(), [action(due=due)], dt.date(2019, 12, 21), dt.date(2020, 1, 20)), REMINDER
    )
    scotland = days_with(
        run_year(
            board(region="SCT"), [action(due=due)], dt.date(2019, 12, 21), dt.date(2020, 1, 20)
        ),
        REMINDER,
    )
    assert dt.date(2020, 1, 8) in england
    assert dt.date(2020, 1, 9) in scotland and dt.date(2020, 1, 8) not in scotland


def test_never_on_a_weekend_or_bank_holiday_in_a_whole_year() -> None:
    cycle = MeetingCycle(rule="FREQ=MONTHLY;BYDAY=+2TU", start=dt.date(2019, 1, 1))
    b = board(meetings=cycle, channel_id="CBOARD0000")
    actions = [
        action(f"{n}.1", due=dt.date(2019, 1, 1) + dt.timedelta(days=n * 11)) for n in range(1, 33)
    ]
    found = run_year(b, actions, dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    calendar = calendar_for("ENG")
    assert found, "a year of a plan sends something"
    assert all(calendar.is_working_day(day) for day in found)
    for day, messages in found.items():
        for m in messages:
            assert m.send_at == dt.datetime.combine(day, dt.time(9), tzinfo=m.send_at.tzinfo)
            assert m.send_at.astimezone(dt.UTC).hour in (8, 9)
        keys = [m.key for m in messages]
        assert len(keys) == len(set(keys))
        jane_dms = [m for m in messages if m.kind == REMINDER and m.to == "UJANE00000"]
        assert len(jane_dms) <= 1


def test_nothing_for_complete_actions_or_paused_boards() -> None:
    done = action(status="blue")
    assert run_year(board(), [done], dt.date(2019, 5, 1), dt.date(2019, 7, 1)) == {
        d: ms for d, ms in run_year(board(), [], dt.date(2019, 5, 1), dt.date(2019, 7, 1)).items()
    }
    paused = board(paused_until=dt.date(2019, 6, 10))
    reminders = days_with(
        run_year(paused, [action()], dt.date(2019, 5, 1), dt.date(2019, 6, 30)), REMINDER
    )
    assert min(reminders) == dt.date(2019, 6, 14)


def test_meeting_window_and_last_call_second_tuesday() -> None:
    cycle = MeetingCycle(rule="FREQ=MONTHLY;BYDAY=+2TU", start=dt.date(2019, 1, 1))
    b = board(meetings=cycle, channel_id="CBOARD0000")
    previous_meeting = dt.datetime(2019, 5, 14, 9, tzinfo=dt.UTC)  # 14 May 2019 10:00 BST
    quiet = action("4.1", due=None, owners=(JANE,), last_update_at=None)
    updated = action(
        "4.2", due=None, owners=(OMAR,), last_update_at=previous_meeting + dt.timedelta(days=1)
    )
    stale = action(
        "4.3", due=None, owners=(OMAR,), last_update_at=previous_meeting - dt.timedelta(days=1)
    )
    found = run_year(b, [quiet, updated, stale], dt.date(2019, 5, 20), dt.date(2019, 6, 11))
    reminders = {
        day: sorted((m.to, i.action_ref, i.reason, i.working_days) for m in ms for i in m.items)
        for day, ms in found.items()
        if any(m.kind == REMINDER for m in ms)
    }
    assert reminders == {
        dt.date(2019, 5, 28): [
            ("Omar Owner", "4.3", MEETING_WINDOW, 5),
            ("UJANE00000", "4.1", MEETING_WINDOW, 5),
        ],
        dt.date(2019, 6, 3): [
            ("Omar Owner", "4.3", MEETING_LAST_CALL, 1),
            ("UJANE00000", "4.1", MEETING_LAST_CALL, 1),
        ],
    }
    packs = {day: sorted(m.to for m in ms if m.kind == PACK) for day, ms in found.items()}
    assert {d: p for d, p in packs.items() if p} == {
        dt.date(2019, 6, 7): ["CBOARD0000", "UCHAIR0000"]
    }
    [pack] = [m for m in found[dt.date(2019, 6, 7)] if m.to == "CBOARD0000"]
    assert pack.meeting == dt.date(2019, 6, 11)
    assert pack.key == "pack:1:2019-06-11:channel:CBOARD0000"


def test_cancelled_and_added_meetings_every_six_weeks() -> None:
    cycle = MeetingCycle(
        rule="FREQ=WEEKLY;INTERVAL=6",
        start=dt.date(2019, 1, 15),
        cancelled=frozenset({dt.date(2019, 2, 26)}),
        added=frozenset({dt.date(2019, 3, 5)}),
    )
    b = board(meetings=cycle)
    found = run_year(b, [], dt.date(2019, 1, 1), dt.date(2019, 4, 30))
    packs = sorted(m.meeting for ms in found.values() for m in ms if m.kind == PACK)
    assert packs == [dt.date(2019, 1, 15), dt.date(2019, 3, 5), dt.date(2019, 4, 9)]


def test_weekly_digest_moves_off_bank_holiday_mondays() -> None:
    b = board(channel_id="CBOARD0000")
    found = run_year(b, [], dt.date(2019, 4, 15), dt.date(2019, 6, 9))
    digest_days = sorted({d for d, ms in found.items() if any(m.kind == DIGEST for m in ms)})
    assert digest_days == [
        dt.date(2019, 4, 15),
        dt.date(2019, 4, 23),  # Easter Monday
        dt.date(2019, 4, 29),
        dt.date(2019, 5, 7),  # early May bank holiday
        dt.date(2019, 5, 13),
        dt.date(2019, 5, 20),
        dt.date(2019, 5, 28),  # spring bank holiday
        dt.date(2019, 6, 3),
    ]
    keys = sorted(m.key for m in found[dt.date(2019, 4, 23)])
    assert keys == ["digest:1:2019-W17:channel:CBOARD0000", "digest:1:2019-W17:person:4"]


def test_one_dm_per_owner_per_day_batches_everything() -> None:
    cycle = MeetingCycle(rule="FREQ=MONTHLY;BYDAY=+2TU", start=dt.date(2019, 1, 1))
    b = board(meetings=cycle)
    # On 28 May 2019: 4.1 is 3 days from due, 4.2 overdue by 10 (due 13 May), the window opens.
    first = action("4.1", due=dt.date(2019, 5, 31))
    second = action("4.2", due=dt.date(2019, 5, 13), owners=(JANE, OMAR))
    [jane] = [
        m
        for m in batch(board_messages(b, [first, second], dt.date(2019, 5, 28)))
        if m.kind == REMINDER and m.to == "UJANE00000"
    ]
    assert jane.key == "reminder:person:1:2019-05-28"
    assert [(i.action_ref, i.reason, i.working_days) for i in jane.items] == [
        ("4.1", DUE_SOON, 3),
        ("4.1", MEETING_WINDOW, 5),
        ("4.2", MEETING_WINDOW, 5),
        ("4.2", OVERDUE, 10),
    ]


def test_one_dm_batches_across_boards() -> None:
    other = board(id=2, name="Scrutiny")
    one = action("4.1", due=dt.date(2019, 5, 31))
    two = action("9.9", due=dt.date(2019, 5, 31), board_id=2)
    now = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)
    messages = [m for m in messages_due([board(), other], [one, two], now) if m.to == "UJANE00000"]
    assert len(messages) == 1
    assert [i.action_ref for i in messages[0].items] == ["4.1", "9.9"]
    assert messages[0].board_id is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2019, 5, 16, 7, 59, tzinfo=dt.UTC), 0),  # 08:59 BST
        (dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC), 1),  # 09:00 BST
        (dt.datetime(2019, 5, 16, 22, 0, tzinfo=dt.UTC), 1),  # later the same day
        (dt.datetime(2019, 5, 16, 23, 30, tzinfo=dt.UTC), 0),  # 00:30 on the 17th
    ],
)
def test_messages_go_at_nine_local_time_in_summer(now: dt.datetime, expected: int) -> None:
    assert len(messages_due([board()], [action()], now)) == expected


def test_nine_oclock_is_nine_utc_in_winter_and_eight_after_the_clocks_change() -> None:
    winter = action(due=dt.date(2019, 3, 29))  # Friday before BST starts on 31 March
    summer = action(due=dt.date(2019, 4, 1))
    [w] = messages_due([board()], [winter], dt.datetime(2019, 3, 29, 9, 0, tzinfo=dt.UTC))
    monday = messages_due([board()], [summer], dt.datetime(2019, 4, 1, 8, 0, tzinfo=dt.UTC))
    [s] = [m for m in monday if m.kind == REMINDER]  # Monday also brings the chair's digest
    assert w.send_at.astimezone(dt.UTC).hour == 9
    assert s.send_at.astimezone(dt.UTC).hour == 8
    assert messages_due([board()], [winter], dt.datetime(2019, 3, 29, 8, 59, tzinfo=dt.UTC)) == []


def test_policy_overrides_change_the_days() -> None:
    policy = ReminderPolicy(due=(2,), overdue=1, escalate=3)
    found = run_year(board(policy=policy), [action()], dt.date(2019, 5, 1), dt.date(2019, 6, 6))
    reminders = days_with(found, REMINDER)
    assert reminders == {
        dt.date(2019, 5, 29): [(DUE_SOON, 2)],
        dt.date(2019, 6, 3): [(OVERDUE, 1)],
        dt.date(2019, 6, 4): [(OVERDUE, 2)],
        dt.date(2019, 6, 5): [(OVERDUE, 3)],
        dt.date(2019, 6, 6): [(OVERDUE, 4)],
    }
    assert days_with(found, ESCALATION) == {dt.date(2019, 6, 5): [(ESCALATED, 3), (ESCALATED, 3)]}


def test_a_changed_due_date_gives_new_items_but_never_a_second_dm_that_day() -> None:
    day = dt.date(2019, 5, 16)
    before = batch(board_messages(board(), [action(due=dt.date(2019, 5, 31))], day))
    after = batch(board_messages(board(), [action(due=dt.date(2019, 5, 16))], day))
    assert [m.key for m in before] == [m.key for m in after] == ["reminder:person:1:2019-05-16"]
    assert before[0].items[0].working_days == 10 and after[0].items[0].working_days == 0
