import datetime as dt
import time

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.calendar import (
    REGIONS,
    WorkingCalendar,
    at_local,
    calendar_for,
    local_date,
    region_code,
)
from bot.core.errors import UserError

D = dt.date
ENG = calendar_for("ENG")
SCT = calendar_for("SCT")

# Weekday bank holidays in England and Wales (gov.uk), substitutes and one-offs included.
ENGLAND_2019_2023 = {
    2019: ["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2022: [
        "01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27",
    ],
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
}  # fmt: skip
SCOTLAND_2019 = ["01-01", "01-02", "04-19", "05-06", "05-27", "08-05", "12-02", "12-25", "12-26"]


def weekday_holidays(calendar: WorkingCalendar, year: int) -> list[str]:
    days = (D(year, 1, 1) + dt.timedelta(days=i) for i in range(366))
    return [
        f"{d:%m-%d}"
        for d in days
        if d.year == year and d.weekday() < 5 and not calendar.is_working_day(d)
    ]


@pytest.mark.parametrize("year", sorted(ENGLAND_2019_2023))
def test_england_bank_holidays(year: int) -> None:
    assert weekday_holidays(ENG, year) == ENGLAND_2019_2023[year]


@pytest.mark.parametrize("region", ["ENG", "WLS"])
@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2019, 4, 19), "Good Friday"),
        (D(2019, 4, 22), "Easter Monday"),
        (D(2019, 5, 6), "May Day"),
        (D(2019, 12, 25), "Christmas Day"),
        (D(2019, 12, 26), "Boxing Day"),
        (D(2020, 5, 8), "May Day"),  # moved for VE Day
        (D(2022, 6, 2), "Spring Bank Holiday"),  # moved for the Platinum Jubilee
        (D(2022, 6, 3), "Platinum Jubilee"),
        (D(2022, 9, 19), "State Funeral"),
        (D(2023, 5, 8), "Coronation"),
    ],
)
def test_named_holidays(region: str, day: dt.date, name: str) -> None:
    calendar = calendar_for(region)
    assert not calendar.is_working_day(day)
    assert name in (calendar.holiday_name(day) or "")


@pytest.mark.parametrize(
    "day",
    [
        D(2020, 5, 4),  # the usual early May Monday, moved to VE Day in 2020
        D(2022, 5, 30),  # the usual spring Monday, moved to 2 June in 2022
        D(2019, 4, 18),
        D(2019, 12, 24),
        D(2019, 12, 27),
        D(2019, 12, 31),
    ],
)
def test_days_that_are_not_holidays(day: dt.date) -> None:
    assert ENG.is_working_day(day)
    assert ENG.holiday_name(day) is None


def test_one_off_holidays_in_every_region() -> None:
    for region in REGIONS:
        calendar = calendar_for(region)
        for day in (D(2022, 6, 3), D(2022, 9, 19), D(2023, 5, 8)):
            assert not calendar.is_working_day(day), (region, day)


def test_weekends_are_not_working_days() -> None:
    assert not ENG.is_working_day(D(2019, 6, 8))
    assert not ENG.is_working_day(D(2019, 6, 9))
    assert ENG.is_working_day(D(2019, 6, 10))
    assert ENG.holiday_name(D(2019, 6, 8)) is None


def test_holidays_at_a_weekend_keep_their_name_and_move_to_a_weekday() -> None:
    assert ENG.holiday_name(D(2020, 12, 26)) == "Boxing Day"
    assert "observed" in (ENG.holiday_name(D(2020, 12, 28)) or "")
    assert list(ENG.holidays_in_year(2022))[:2] == [D(2022, 1, 1), D(2022, 1, 3)]


def test_scotland_differs_from_england() -> None:
    assert weekday_holidays(SCT, 2019) == SCOTLAND_2019
    # 2 January
    assert not SCT.is_working_day(D(2019, 1, 2))
    assert ENG.is_working_day(D(2019, 1, 2))
    # St Andrew's Day fell on a Saturday in 2019: the Monday after is the holiday
    assert "Andrew" in (SCT.holiday_name(D(2019, 11, 30)) or "")
    assert not SCT.is_working_day(D(2019, 12, 2))
    assert ENG.is_working_day(D(2019, 12, 2))
    assert not SCT.is_working_day(D(2020, 11, 30))
    # August bank holiday is the first Monday, not the last
    assert not SCT.is_working_day(D(2019, 8, 5))
    assert SCT.is_working_day(D(2019, 8, 26))
    assert ENG.is_working_day(D(2019, 8, 5))
    assert not ENG.is_working_day(D(2019, 8, 26))
    # no Easter Monday
    assert SCT.is_working_day(D(2019, 4, 22))
    assert not SCT.is_working_day(D(2019, 4, 19))


def test_northern_ireland() -> None:
    nir = calendar_for("NIR")
    assert not nir.is_working_day(D(2019, 3, 18))  # St Patrick's Day (Sunday) moved to Monday
    assert not nir.is_working_day(D(2019, 7, 12))
    assert ENG.is_working_day(D(2019, 7, 12))


def test_regions() -> None:
    assert set(REGIONS) == {"ENG", "WLS", "SCT", "NIR"}
    assert REGIONS["ENG"] == "England and Wales"
    assert calendar_for() is ENG
    assert calendar_for("sct") is SCT
    assert calendar_for("Scotland") is SCT
    assert calendar_for("England & Wales") is ENG
    assert region_code(" northern  ireland ") == "NIR"
    assert ENG.region == "ENG" and ENG.name == "England and Wales"


@pytest.mark.parametrize("text", ["GB", "UK", "", "France", "ENGLAND AND SCOTLAND"])
def test_unknown_region(text: str) -> None:
    with pytest.raises(UserError) as error:
        calendar_for(text)
    message = str(error.value)
    assert all(code in message for code in REGIONS)
    assert "Scotland" in message


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (D(2019, 6, 7), True, D(2019, 6, 7)),
        (D(2019, 6, 7), False, D(2019, 6, 10)),
        (D(2019, 6, 8), True, D(2019, 6, 10)),
        (D(2019, 12, 25), True, D(2019, 12, 27)),
        (D(2019, 12, 24), False, D(2019, 12, 27)),
        (D(2019, 4, 19), True, D(2019, 4, 23)),
        (D(2022, 12, 31), True, D(2023, 1, 3)),
        (D(2022, 6, 1), False, D(2022, 6, 6)),
    ],
)
def test_next_working_day(day: dt.date, include_self: bool, expected: dt.date) -> None:
    assert ENG.next_working_day(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "include_self", "expected"),
    [
        (D(2019, 6, 10), True, D(2019, 6, 10)),
        (D(2019, 6, 10), False, D(2019, 6, 7)),
        (D(2019, 6, 9), True, D(2019, 6, 7)),
        (D(2019, 4, 22), True, D(2019, 4, 18)),
        (D(2020, 1, 1), True, D(2019, 12, 31)),
        (D(2023, 1, 3), False, D(2022, 12, 30)),
    ],
)
def test_previous_working_day(day: dt.date, include_self: bool, expected: dt.date) -> None:
    assert ENG.previous_working_day(day, include_self=include_self) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        # across a weekend
        (D(2019, 6, 7), 1, D(2019, 6, 10)),
        (D(2019, 6, 10), -1, D(2019, 6, 7)),
        (D(2019, 6, 3), 10, D(2019, 6, 17)),
        # from a weekend day: counting starts there
        (D(2019, 6, 8), 1, D(2019, 6, 10)),
        (D(2019, 6, 8), -1, D(2019, 6, 7)),
        (D(2019, 6, 9), 5, D(2019, 6, 14)),
        # bank holidays
        (D(2019, 5, 3), 1, D(2019, 5, 7)),
        (D(2019, 4, 18), 1, D(2019, 4, 23)),
        (D(2019, 4, 23), -1, D(2019, 4, 18)),
        (D(2022, 6, 1), 1, D(2022, 6, 6)),
        (D(2022, 9, 16), 1, D(2022, 9, 20)),
        (D(2023, 5, 5), 1, D(2023, 5, 9)),
        # Christmas and New Year
        (D(2019, 12, 20), 5, D(2019, 12, 31)),
        (D(2019, 12, 20), 6, D(2020, 1, 2)),
        (D(2019, 12, 24), 1, D(2019, 12, 27)),
        (D(2020, 1, 2), -3, D(2019, 12, 27)),
        (D(2022, 12, 23), 1, D(2022, 12, 28)),
        (D(2022, 12, 30), 1, D(2023, 1, 3)),
        (D(2023, 1, 3), -1, D(2022, 12, 30)),
        # month ends
        (D(2019, 5, 31), 1, D(2019, 6, 3)),
        (D(2019, 8, 23), 1, D(2019, 8, 27)),
        (D(2019, 8, 30), 1, D(2019, 9, 2)),
        (D(2019, 9, 2), -1, D(2019, 8, 30)),
        # leap days: 2020-02-29 is a Saturday, 2024-02-29 a Thursday
        (D(2020, 2, 28), 1, D(2020, 3, 2)),
        (D(2020, 2, 29), 1, D(2020, 3, 2)),
        (D(2020, 2, 29), -1, D(2020, 2, 28)),
        (D(2020, 3, 2), -1, D(2020, 2, 28)),
        (D(2024, 2, 28), 1, D(2024, 2, 29)),
        (D(2024, 2, 29), 1, D(2024, 3, 1)),
        (D(2024, 3, 1), -1, D(2024, 2, 29)),
        # a long stretch: 2019 has 253 working days
        (D(2019, 1, 1), 252, D(2019, 12, 30)),
        (D(2020, 1, 2), -252, D(2019, 1, 3)),
        # 0 returns the day itself, working or not
        (D(2019, 6, 7), 0, D(2019, 6, 7)),
        (D(2019, 6, 8), 0, D(2019, 6, 8)),
        (D(2019, 12, 25), 0, D(2019, 12, 25)),
    ],
)
def test_add_working_days(day: dt.date, n: int, expected: dt.date) -> None:
    assert ENG.add_working_days(day, n) == expected


def test_statutory_70_working_days() -> None:
    # A report published on Monday 19 November 2018: 9 working days left in November, 19 in
    # December (Christmas and Boxing Day out), 22 in January (New Year's Day out), 20 in February.
    assert ENG.add_working_days(D(2018, 11, 19), 70) == D(2019, 2, 28)
    assert ENG.working_days_between(D(2018, 11, 19), D(2019, 2, 28)) == 70


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2019, 5, 16), D(2019, 5, 31), 10),  # spring bank holiday 27 May inside
        (D(2019, 5, 31), D(2019, 5, 16), -10),
        (D(2019, 5, 16), D(2019, 5, 16), 0),
        (D(2019, 5, 16), D(2019, 5, 17), 1),
        (D(2019, 5, 17), D(2019, 5, 20), 1),
        (D(2019, 6, 7), D(2019, 6, 8), 0),  # due on a Saturday: 0 left on the Friday
        (D(2019, 6, 10), D(2019, 6, 8), -1),  # and 1 overdue on the Monday
        (D(2019, 6, 8), D(2019, 6, 10), 1),
        (D(2019, 12, 24), D(2020, 1, 2), 4),
        (D(2020, 1, 2), D(2019, 12, 24), -4),
        (D(2019, 1, 1), D(2019, 12, 31), 253),
        (D(2018, 12, 31), D(2021, 1, 1), 507),  # 253 + 254
        (D(2020, 2, 28), D(2020, 3, 2), 1),
        (D(2024, 2, 28), D(2024, 3, 1), 2),
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert ENG.working_days_between(start, end) == expected


def test_working_days_in_range() -> None:
    assert ENG.working_days_in_range(D(2019, 12, 20), D(2020, 1, 6)) == [
        D(2019, 12, 20),
        D(2019, 12, 23),
        D(2019, 12, 24),
        D(2019, 12, 27),
        D(2019, 12, 30),
        D(2019, 12, 31),
        D(2020, 1, 2),
        D(2020, 1, 3),
        D(2020, 1, 6),
    ]
    assert ENG.working_days_in_range(D(2019, 6, 8), D(2019, 6, 9)) == []
    assert ENG.working_days_in_range(D(2019, 6, 10), D(2019, 6, 10)) == [D(2019, 6, 10)]
    assert ENG.working_days_in_range(D(2019, 6, 10), D(2019, 6, 7)) == []


@pytest.mark.parametrize(
    ("due", "n", "expected"),
    [
        (D(2019, 6, 14), 0, D(2019, 6, 14)),
        (D(2019, 6, 14), 3, D(2019, 6, 11)),
        (D(2019, 8, 31), 0, D(2019, 8, 30)),  # due on a Saturday
        (D(2019, 8, 31), 3, D(2019, 8, 27)),  # Monday 26 August is a bank holiday
        (D(2019, 12, 25), 0, D(2019, 12, 24)),
    ],
)
def test_day_with_working_days_left(due: dt.date, n: int, expected: dt.date) -> None:
    day = ENG.day_with_working_days_left(due, n)
    assert day == expected
    assert ENG.is_working_day(day)
    assert ENG.working_days_between(day, due) == n


def test_day_with_working_days_left_refuses_negative() -> None:
    with pytest.raises(ValueError):
        ENG.day_with_working_days_left(D(2019, 6, 14), -1)


# --- against a day-by-day count on the holidays package itself -----------------------------------

_TABLES = {
    region: holidays.country_holidays("GB", subdiv=region, years=range(2015, 2031))
    for region in REGIONS
}


def _naive_working(region: str, d: dt.date) -> bool:
    return d.weekday() < 5 and d not in _TABLES[region]


def _naive_add(region: str, d: dt.date, n: int) -> dt.date:
    step = dt.timedelta(days=1 if n > 0 else -1)
    while n:
        d += step
        if _naive_working(region, d):
            n -= 1 if n > 0 else -1
    return d


def _naive_between(region: str, start: dt.date, end: dt.date) -> int:
    if end < start:
        return -_naive_between(region, end, start)
    days = (start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(_naive_working(region, d) for d in days)


_days = st.dates(min_value=D(2016, 1, 1), max_value=D(2029, 12, 31))
_regions = st.sampled_from(sorted(REGIONS))


@given(_regions, _days, st.integers(-400, 400))
def test_add_matches_counting_day_by_day(region: str, day: dt.date, n: int) -> None:
    calendar = calendar_for(region)
    result = calendar.add_working_days(day, n)
    assert result == _naive_add(region, day, n)
    assert calendar.is_working_day(day) == _naive_working(region, day)
    if n != 0:
        assert calendar.is_working_day(result)
    if n >= 0 or calendar.is_working_day(day):
        assert calendar.working_days_between(day, result) == n


@given(_regions, _days, _days)
def test_between_matches_counting_day_by_day(region: str, start: dt.date, end: dt.date) -> None:
    calendar = calendar_for(region)
    between = calendar.working_days_between(start, end)
    assert between == _naive_between(region, start, end)
    assert between == -calendar.working_days_between(end, start)
    if end >= start:
        in_range = calendar.working_days_in_range(start + dt.timedelta(days=1), end)
        assert len(in_range) == between


@given(_regions, _days)
def test_next_and_previous_are_the_nearest_working_days(region: str, day: dt.date) -> None:
    calendar = calendar_for(region)
    after = calendar.next_working_day(day, include_self=False)
    before = calendar.previous_working_day(day, include_self=False)
    assert after == _naive_add(region, day, 1)
    assert before == _naive_add(region, day, -1)
    if calendar.is_working_day(day):
        assert calendar.next_working_day(day) == day == calendar.previous_working_day(day)
    else:
        assert calendar.next_working_day(day) == after
        assert calendar.previous_working_day(day) == before


def test_many_calls_are_fast() -> None:
    days = [D(2019, 1, 1) + dt.timedelta(days=i % 1500) for i in range(30_000)]
    due = D(2020, 6, 1)
    started = time.perf_counter()
    for d in days:
        ENG.is_working_day(d)
        ENG.add_working_days(d, -10)
        ENG.working_days_between(d, due)
    assert time.perf_counter() - started < 1.5  # ~0.1 s; 90k calls


# --- local time ----------------------------------------------------------------------------------

LONDON = "Europe/London"
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("day", "offset"),
    [
        (D(2019, 3, 30), dt.timedelta(0)),
        (D(2019, 3, 31), HOUR),  # clocks go forward at 01:00 GMT
        (D(2019, 10, 26), HOUR),
        (D(2019, 10, 27), dt.timedelta(0)),  # clocks go back at 02:00 BST
        (D(2019, 1, 15), dt.timedelta(0)),
        (D(2019, 7, 15), HOUR),
    ],
)
def test_nine_o_clock_in_london(day: dt.date, offset: dt.timedelta) -> None:
    moment = at_local(day, dt.time(9, 0), LONDON)
    assert moment.utcoffset() == offset
    assert (moment.date(), moment.time()) == (day, dt.time(9, 0))
    assert moment.astimezone(dt.UTC) == dt.datetime.combine(day, dt.time(9), dt.UTC) - offset


def test_at_local_on_the_change_nights() -> None:
    # 01:30 does not exist on 31 March 2019: it moves on by the missing hour, to 02:30 BST
    skipped = at_local(D(2019, 3, 31), dt.time(1, 30), LONDON)
    assert skipped.time() == dt.time(2, 30)
    assert skipped.utcoffset() == HOUR
    assert skipped.astimezone(dt.UTC) == dt.datetime(2019, 3, 31, 1, 30, tzinfo=dt.UTC)
    # 01:30 happens twice on 27 October 2019: the first (BST) one is taken
    twice = at_local(D(2019, 10, 27), dt.time(1, 30), LONDON)
    assert twice.utcoffset() == HOUR
    assert twice.astimezone(dt.UTC) == dt.datetime(2019, 10, 27, 0, 30, tzinfo=dt.UTC)


def test_at_local_other_zones() -> None:
    moment = at_local(D(2019, 6, 3), dt.time(9, 0), "America/New_York")
    assert moment.astimezone(dt.UTC) == dt.datetime(2019, 6, 3, 13, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "../etc/passwd", "London"])
def test_unknown_time_zone(tz: str) -> None:
    with pytest.raises(UserError, match="Europe/London"):
        at_local(D(2019, 6, 3), dt.time(9, 0), tz)


def test_local_date() -> None:
    late = dt.datetime(2019, 6, 1, 23, 30, tzinfo=dt.UTC)
    assert local_date(late, LONDON) == D(2019, 6, 2)
    assert local_date(late, "UTC") == D(2019, 6, 1)
    winter = dt.datetime(2019, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert local_date(winter, LONDON) == D(2019, 12, 31)
    with pytest.raises(ValueError):
        local_date(dt.datetime(2019, 6, 1, 12, 0), LONDON)
