import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.core.meetings import (
    MEETING_RULE_EXAMPLES,
    MeetingCycle,
    describe_rule,
    parse_meeting_rule,
)

D = dt.date
TODAY = D(2019, 1, 3)  # a Thursday

SECOND_TUESDAYS_2019 = [
    D(2019, 1, 8),
    D(2019, 2, 12),
    D(2019, 3, 12),
    D(2019, 4, 9),
    D(2019, 5, 14),
    D(2019, 6, 11),
    D(2019, 7, 9),
    D(2019, 8, 13),
    D(2019, 9, 10),
    D(2019, 10, 8),
    D(2019, 11, 12),
    D(2019, 12, 10),
]
SIX_WEEKLY_2019 = [
    D(2019, 1, 15),
    D(2019, 2, 26),
    D(2019, 4, 9),
    D(2019, 5, 21),
    D(2019, 7, 2),
    D(2019, 8, 13),
    D(2019, 9, 24),
    D(2019, 11, 5),
    D(2019, 12, 17),
]
MONTHLY = MeetingCycle("FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 1))
SIX_WEEKLY = MeetingCycle("FREQ=WEEKLY;INTERVAL=6", D(2019, 1, 15))


def test_second_tuesday_monthly_across_2019() -> None:
    assert MONTHLY.occurrences(D(2019, 1, 1), D(2019, 12, 31)) == SECOND_TUESDAYS_2019


def test_every_six_weeks_across_2019() -> None:
    assert SIX_WEEKLY.occurrences(D(2019, 1, 1), D(2019, 12, 31)) == SIX_WEEKLY_2019
    assert SIX_WEEKLY.occurrences(D(2018, 1, 1), D(2019, 1, 14)) == []


def test_occurrences_include_both_ends() -> None:
    assert MONTHLY.occurrences(D(2019, 2, 12), D(2019, 3, 12)) == [D(2019, 2, 12), D(2019, 3, 12)]
    assert MONTHLY.occurrences(D(2019, 2, 13), D(2019, 3, 11)) == []
    assert MONTHLY.occurrences(D(2019, 3, 12), D(2019, 2, 12)) == []


def test_cancelled_and_added_meetings() -> None:
    cycle = MeetingCycle(
        "FREQ=MONTHLY;BYDAY=+2TU",
        D(2019, 1, 1),
        cancelled=frozenset({D(2019, 8, 13)}),
        added=frozenset({D(2019, 8, 20)}),
    )
    assert cycle.occurrences(D(2019, 7, 1), D(2019, 9, 30)) == [
        D(2019, 7, 9),
        D(2019, 8, 20),
        D(2019, 9, 10),
    ]
    assert cycle.next_meeting(D(2019, 8, 1)) == D(2019, 8, 20)
    assert cycle.next_meeting(D(2019, 8, 20)) == D(2019, 8, 20)
    assert cycle.next_meeting(D(2019, 8, 21)) == D(2019, 9, 10)
    assert cycle.previous_meeting(D(2019, 9, 10)) == D(2019, 8, 20)
    assert cycle.previous_meeting(D(2019, 8, 20)) == D(2019, 7, 9)
    assert cycle.previous_meeting(D(2019, 8, 14)) == D(2019, 7, 9)


def test_next_and_previous_meeting() -> None:
    assert MONTHLY.next_meeting(D(2019, 1, 1)) == D(2019, 1, 8)
    assert MONTHLY.next_meeting(D(2019, 1, 8)) == D(2019, 1, 8)
    assert MONTHLY.next_meeting(D(2019, 1, 9)) == D(2019, 2, 12)
    assert MONTHLY.previous_meeting(D(2019, 2, 12)) == D(2019, 1, 8)
    assert MONTHLY.previous_meeting(D(2019, 2, 13)) == D(2019, 2, 12)
    assert MONTHLY.previous_meeting(D(2019, 1, 8)) is None
    assert SIX_WEEKLY.next_meeting(D(2019, 12, 18)) == D(2020, 1, 28)
    assert SIX_WEEKLY.previous_meeting(D(2030, 1, 1)) == D(2029, 12, 18)


def test_several_cancellations_in_a_row() -> None:
    cycle = MeetingCycle(
        "FREQ=MONTHLY;BYDAY=+2TU",
        D(2019, 1, 1),
        cancelled=frozenset({D(2019, 7, 9), D(2019, 8, 13), D(2019, 9, 10)}),
    )
    assert cycle.next_meeting(D(2019, 7, 1)) == D(2019, 10, 8)
    assert cycle.previous_meeting(D(2019, 10, 8)) == D(2019, 6, 11)


def test_cancelling_wins_over_adding_the_same_day() -> None:
    day = D(2019, 8, 20)
    cycle = MeetingCycle(None, D(2019, 1, 1), added=frozenset({day}), cancelled=frozenset({day}))
    assert cycle.occurrences(D(2019, 1, 1), D(2019, 12, 31)) == []
    assert cycle.next_meeting(D(2019, 1, 1)) is None


def test_a_board_with_only_one_off_meetings() -> None:
    one_offs = [D(2019, 5, 2), D(2019, 3, 1)]  # any iterable is accepted
    cycle = MeetingCycle(None, D(2019, 1, 1), added=one_offs)  # type: ignore[arg-type]
    assert cycle.added == frozenset({D(2019, 3, 1), D(2019, 5, 2)})
    assert cycle.occurrences(D(2019, 1, 1), D(2019, 12, 31)) == [D(2019, 3, 1), D(2019, 5, 2)]
    assert cycle.next_meeting(D(2019, 3, 2)) == D(2019, 5, 2)
    assert cycle.previous_meeting(D(2019, 3, 2)) == D(2019, 3, 1)
    assert cycle.next_meeting(D(2019, 5, 3)) is None
    assert cycle.previous_meeting(D(2019, 3, 1)) is None


def test_a_cycle_that_ends() -> None:
    cycle = MeetingCycle("FREQ=MONTHLY;COUNT=3;BYDAY=+2TU", D(2019, 1, 1))
    assert cycle.occurrences(D(2019, 1, 1), D(2019, 12, 31)) == SECOND_TUESDAYS_2019[:3]
    assert cycle.next_meeting(D(2019, 3, 13)) is None
    assert cycle.previous_meeting(D(2025, 1, 1)) == D(2019, 3, 12)
    until = MeetingCycle("FREQ=MONTHLY;UNTIL=20190601;BYDAY=+2TU", D(2019, 1, 1))
    assert until.occurrences(D(2019, 1, 1), D(2019, 12, 31)) == SECOND_TUESDAYS_2019[:5]


def test_long_ranges_are_bounded_and_fast() -> None:
    started = time.perf_counter()
    meetings = SIX_WEEKLY.occurrences(D(2019, 1, 1), D(2068, 12, 31))
    for _ in range(1000):
        MONTHLY.next_meeting(D(2021, 5, 1))
        MONTHLY.previous_meeting(D(2021, 5, 1))
    assert len(meetings) == 435
    assert time.perf_counter() - started < 2


def test_meeting_datetime_in_board_time() -> None:
    winter = MONTHLY.meeting_datetime(D(2019, 1, 8))
    summer = MONTHLY.meeting_datetime(D(2019, 4, 9))
    assert (winter.hour, winter.utcoffset()) == (10, dt.timedelta(0))
    assert (summer.hour, summer.utcoffset()) == (10, dt.timedelta(hours=1))
    later = MeetingCycle("FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 1), dt.time(14, 30), "Europe/Dublin")
    assert later.meeting_datetime(D(2019, 7, 9)).astimezone(dt.UTC) == dt.datetime(
        2019, 7, 9, 13, 30, tzinfo=dt.UTC
    )


def test_a_bad_stored_rule_fails_when_the_cycle_is_built() -> None:
    with pytest.raises(UserError):
        MeetingCycle("FREQ=SOMETIMES", D(2019, 1, 1))


def test_cycles_are_values() -> None:
    assert MeetingCycle("FREQ=WEEKLY", D(2019, 1, 1)) == MeetingCycle("FREQ=WEEKLY", D(2019, 1, 1))
    assert len({MONTHLY, MeetingCycle("FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 1))}) == 1


def test_describe_cycle() -> None:
    assert MONTHLY.describe() == "second Tuesday of every month from 1 January 2019 at 10:00"
    assert MeetingCycle(None, D(2019, 1, 1)).describe() == "no regular cycle (at 10:00)"


# --- reading what people type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "start"),
    [
        ("FREQ=MONTHLY;BYDAY=+2TU", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("RRULE:FREQ=MONTHLY;BYDAY=2TU", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("rrule:freq=monthly; byday=+2tu;", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("FREQ=WEEKLY;INTERVAL=6 from 2019-01-15", "FREQ=WEEKLY;INTERVAL=6", D(2019, 1, 15)),
        ("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO", D(2019, 1, 7)),
        ("second Tuesday monthly", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("second Tuesday of the month", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("2nd Tuesday of every month", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("monthly on the second Tuesday", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("Second Tuesday monthly.", "FREQ=MONTHLY;BYDAY=+2TU", D(2019, 1, 8)),
        ("last Thursday of every month", "FREQ=MONTHLY;BYDAY=-1TH", D(2019, 1, 31)),
        ("first Monday of each month", "FREQ=MONTHLY;BYDAY=+1MO", D(2019, 1, 7)),
        ("every 6 weeks from 2019-01-15", "FREQ=WEEKLY;INTERVAL=6", D(2019, 1, 15)),
        ("every six weeks from 15/01/2019", "FREQ=WEEKLY;INTERVAL=6", D(2019, 1, 15)),
        ("six-weekly from 15/01/2019", "FREQ=WEEKLY;INTERVAL=6", D(2019, 1, 15)),
        ("6 weekly starting 15 January 2019", "FREQ=WEEKLY;INTERVAL=6", D(2019, 1, 15)),
        ("every 6 weeks", "FREQ=WEEKLY;INTERVAL=6", TODAY),
        (
            "every 4 weeks on Wednesday from 17/01/2019",
            "FREQ=WEEKLY;INTERVAL=4;BYDAY=WE",
            D(2019, 1, 23),
        ),
        ("weekly on Monday", "FREQ=WEEKLY;BYDAY=MO", D(2019, 1, 7)),
        ("every Monday", "FREQ=WEEKLY;BYDAY=MO", D(2019, 1, 7)),
        ("Thursdays", "FREQ=WEEKLY;BYDAY=TH", D(2019, 1, 3)),
        ("weekly on Monday and Thursday", "FREQ=WEEKLY;BYDAY=MO,TH", D(2019, 1, 3)),
        (
            "fortnightly on Thursday from 10/01/2019",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            D(2019, 1, 10),
        ),
        ("every other week on Tuesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", D(2019, 1, 8)),
        ("monthly on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15", D(2019, 1, 15)),
        ("on the 1st of every month", "FREQ=MONTHLY;BYMONTHDAY=1", D(2019, 2, 1)),
        ("last day of the month", "FREQ=MONTHLY;BYMONTHDAY=-1", D(2019, 1, 31)),
        ("monthly", "FREQ=MONTHLY", TODAY),
        ("quarterly on the first Tuesday", "FREQ=MONTHLY;INTERVAL=3;BYDAY=+1TU", D(2019, 2, 5)),
        (
            "every 3 months on the second Tuesday from 20/01/2019",
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU",
            D(2019, 2, 12),
        ),
    ],
)
def test_parse_meeting_rule(text: str, rule: str, start: dt.date) -> None:
    assert parse_meeting_rule(text, TODAY) == (rule, start)
    cycle = MeetingCycle(rule, start)
    assert cycle.next_meeting(start) == start  # the start is the first meeting


def test_parsed_rules_give_the_expected_meetings() -> None:
    rule, start = parse_meeting_rule("second Tuesday monthly", D(2019, 1, 1))
    assert MeetingCycle(rule, start).occurrences(start, D(2019, 12, 31)) == SECOND_TUESDAYS_2019
    rule, start = parse_meeting_rule("every six weeks from 15/01/2019", D(2018, 12, 1))
    assert MeetingCycle(rule, start).occurrences(start, D(2019, 12, 31)) == SIX_WEEKLY_2019


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "soon",
        "every now and then",
        "second Tuesday weekly",  # an ordinal weekday repeats monthly
        "Tuesday monthly",  # which Tuesday?
        "monthly on the 31st",  # not every month has one
        "monthly from 31/01/2019",
        "weekly monthly",
        "second Tuesday and the 15th",
        "every 0 weeks",
        "every 500 weeks",
        "FREQ=DAILY",
        "FREQ=HOURLY",
        "FREQ=MONTHLY;BYDAY=+2TU;FOO=1",
        "FREQ=MONTHLY;BYDAY=+2XX",
        "FREQ=MONTHLY;BYDAY=+2TU;BYDAY=+3TU",
        "FREQ=MONTHLY;;BYDAY=+2TU",
        "BYDAY=+2TU",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=-1",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=MONTHLY;COUNT=3;UNTIL=20191231",
        "FREQ=MONTHLY;UNTIL=2019",
        "FREQ=MONTHLY;UNTIL=20191332",
        "FREQ=MONTHLY;UNTIL=20181231",  # ended before it starts
        "FREQ=MONTHLY;BYMONTHDAY=0",
        "FREQ=MONTHLY;BYMONTHDAY=32",
        "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30",  # never happens
        "FREQ=MONTHLY;BYDAY=+6TU",  # never happens
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",  # 2019, 2023, … are never leap years
        "DTSTART:20190101\nRRULE:FREQ=MONTHLY",
    ],
)
def test_unreadable_rules_are_refused_with_examples(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(UserError) as error:
        parse_meeting_rule(text, TODAY)
    assert MEETING_RULE_EXAMPLES in str(error.value)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Say when the board meets"),
        ("   ", "Say when the board meets"),
        ("every 6 weeks from May 2019", "Give the day of the first meeting"),
        ("every 6 weeks from", "Give the date of the first meeting"),
        ("every 6 weeks from soon", 'I can\'t read "soon" as a date'),
        ("every 6 weeks from 31/02/2019", "February 2019 has 28 days"),
        ("from 2019-01-15", "as a meeting cycle"),
    ],
)
def test_refusals_that_are_about_the_start_date(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_meeting_rule(text, TODAY)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=MONTHLY;BYDAY=+2TU", "second Tuesday of every month"),
        ("FREQ=MONTHLY;BYDAY=-1TH", "last Thursday of every month"),
        ("FREQ=MONTHLY;BYDAY=+1TU,+3TU", "first and third Tuesday of every month"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=+1TU", "first Tuesday, every 3 months"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "the 15th of every month"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,22", "the 1st and 22nd of every month"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "the last day of every month"),
        ("FREQ=MONTHLY", "every month"),
        ("FREQ=MONTHLY;INTERVAL=2", "every 2 months"),
        ("FREQ=WEEKLY;INTERVAL=6", "every 6 weeks"),
        ("FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", "every 4 weeks on Wednesday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "every fortnight on Thursday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "every week on Monday, Wednesday and Friday"),
        ("FREQ=WEEKLY", "every week"),
        ("FREQ=YEARLY", "every year"),
        ("FREQ=MONTHLY;COUNT=6;BYDAY=+2TU", "second Tuesday of every month, 6 times"),
        (
            "FREQ=MONTHLY;UNTIL=20191231T000000;BYDAY=+2TU",
            "second Tuesday of every month, until 31 December 2019",
        ),
        ("RRULE:freq=monthly;byday=2tu", "second Tuesday of every month"),
        # shapes without a short description come back as the rule itself
        ("FREQ=MONTHLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=TU"),
        ("FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,FR", "FREQ=MONTHLY;BYDAY=MO,FR;BYSETPOS=-1"),
    ],
)
def test_describe_rule(rule: str, words: str) -> None:
    assert describe_rule(rule) == words


def test_describe_rule_refuses_garbage() -> None:
    with pytest.raises(UserError):
        describe_rule("every so often")


# --- properties -----------------------------------------------------------------------------------

_WORDS = [
    "every", "each", "second", "last", "first", "2nd", "Tuesday", "mondays", "thurs", "weekly",
    "fortnightly", "monthly", "quarterly", "month", "weeks", "six", "6", "other", "of", "the",
    "on", "15th", "31st", "day", "and", "from", "15/01/2019", "2019-01-31", "May", "-",
]  # fmt: skip
_PARTS = [
    "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=DAILY", "INTERVAL=2", "INTERVAL=0",
    "COUNT=3", "UNTIL=20190601", "BYDAY=+2TU", "BYDAY=-1FR", "BYDAY=+5MO", "BYDAY=MO,TH",
    "BYMONTHDAY=15", "BYMONTHDAY=-1", "BYMONTHDAY=31", "BYMONTH=2", "BYMONTH=6,12",
    "BYSETPOS=1", "WKST=SU", "RRULE:",
]  # fmt: skip
_dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


def _check_any_text(text: str, today: dt.date) -> None:
    try:
        rule, start = parse_meeting_rule(text, today)
    except UserError as error:
        assert "\n" not in str(error)
        return
    cycle = MeetingCycle(rule, start)
    assert cycle.next_meeting(start) == start
    assert describe_rule(rule)
    assert parse_meeting_rule(rule, start) == (rule, start)


@settings(max_examples=200)
@given(st.text(), _dates)
def test_any_text_is_a_cycle_or_a_user_error(text: str, today: dt.date) -> None:
    _check_any_text(text, today)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=7).map(" ".join), _dates)
def test_any_rule_words_are_a_cycle_or_a_user_error(text: str, today: dt.date) -> None:
    _check_any_text(text, today)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=4).map(";".join), _dates)
def test_any_rrule_is_a_cycle_or_a_user_error(text: str, today: dt.date) -> None:
    _check_any_text(text, today)


@settings(max_examples=50, deadline=None)
@given(
    st.dates(min_value=D(2019, 6, 1), max_value=D(2090, 12, 31)),
    st.sampled_from(["second Tuesday monthly", "every 6 weeks", "monthly on the 15th"]),
)
def test_occurrences_next_and_previous_agree(day: dt.date, text: str) -> None:
    rule, start = parse_meeting_rule(text, D(2019, 1, 3))
    cycle = MeetingCycle(rule, start, cancelled=frozenset({D(2030, 1, 15)}))
    meetings = cycle.occurrences(day - dt.timedelta(days=120), day + dt.timedelta(days=120))
    upcoming = [d for d in meetings if d >= day]
    earlier = [d for d in meetings if d < day]
    assert cycle.next_meeting(day) == upcoming[0]
    assert cycle.previous_meeting(day) == earlier[-1]
