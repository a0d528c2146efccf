import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import (
    ACCEPTED_DATE_FORMATS,
    MONTH_NAMES,
    DatePrecision,
    ParsedDate,
    format_day,
    format_moment,
    last_day_of_month,
    parse_uk_date,
    parse_uk_date_or_none,
)
from bot.core.errors import UserError

DAY, MONTH = DatePrecision.DAY, DatePrecision.MONTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # day first, whatever the separator
        ("05/06/2019", dt.date(2019, 6, 5)),
        ("5/6/19", dt.date(2019, 6, 5)),
        ("05-06-2019", dt.date(2019, 6, 5)),
        ("5.6.2019", dt.date(2019, 6, 5)),
        ("31/01/2019", dt.date(2019, 1, 31)),
        ("1/12/2019", dt.date(2019, 12, 1)),
        # ISO always works
        ("2019-06-05", dt.date(2019, 6, 5)),
        ("2019-6-5", dt.date(2019, 6, 5)),
        ("2019/06/05", dt.date(2019, 6, 5)),
        ("2019-06-05T00:00:00", dt.date(2019, 6, 5)),
        ("2019-06-05 14:30", dt.date(2019, 6, 5)),
        ("05/06/2019 00:00:00", dt.date(2019, 6, 5)),
        ("2019-06-05T09:00:00+01:00", dt.date(2019, 6, 5)),
        ("05/06/2019.", dt.date(2019, 6, 5)),  # the end of a sentence
        # words
        ("5 June 2019", dt.date(2019, 6, 5)),
        ("5th June 2019", dt.date(2019, 6, 5)),
        ("the 5th of June 2019", dt.date(2019, 6, 5)),
        ("June 5 2019", dt.date(2019, 6, 5)),
        ("June 5th, 2019", dt.date(2019, 6, 5)),
        ("Wed 5 June 2019", dt.date(2019, 6, 5)),
        ("Wednesday, 5 June 2019", dt.date(2019, 6, 5)),
        ("5 Jun 2019", dt.date(2019, 6, 5)),
        ("5-Jun-19", dt.date(2019, 6, 5)),
        ("1 Sept 2019", dt.date(2019, 9, 1)),
        ("  5   JUNE  2019 ", dt.date(2019, 6, 5)),
        # leap days
        ("29/02/2020", dt.date(2020, 2, 29)),
        ("29 February 2024", dt.date(2024, 2, 29)),
        # two-digit years are 20xx
        ("5/6/99", dt.date(2099, 6, 5)),
        ("1/1/00", dt.date(2000, 1, 1)),
    ],
)
def test_day_dates(text: str, expected: dt.date) -> None:
    assert parse_uk_date(text) == ParsedDate(expected, DAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May-19", dt.date(2019, 5, 31)),
        ("May 19", dt.date(2019, 5, 31)),
        ("May 2019", dt.date(2019, 5, 31)),
        ("Feb 19", dt.date(2019, 2, 28)),
        ("Feb 20", dt.date(2020, 2, 29)),
        ("February 2019", dt.date(2019, 2, 28)),
        ("Sept 2019", dt.date(2019, 9, 30)),
        ("sep-19", dt.date(2019, 9, 30)),
        ("2019-05", dt.date(2019, 5, 31)),
        ("05/2019", dt.date(2019, 5, 31)),
        ("4/2019", dt.date(2019, 4, 30)),
        ("Dec 2019", dt.date(2019, 12, 31)),
        ("June 05", dt.date(2005, 6, 30)),
    ],
)
def test_month_only_dates_mean_the_last_day(text: str, expected: dt.date) -> None:
    assert parse_uk_date(text) == ParsedDate(expected, MONTH)


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2019",
        "29/02/2019",
        "31/04/2019",
        "0/5/2019",
        "soon",
        "next week",
        "13/13/2019",
        "06/13/2019",
        "2019-13-01",
        "2019-02-30",
        "tomorrow",
        "today",
        "5",
        "2019",
        "5/6",  # no year: never filled in from today
        "5 June",
        "June 5",
        "June",
        "June 5th",
        "May 19th",
        "Mon 5 June 2019",  # 5 June 2019 was a Wednesday
        "Wed May 2019",
        "05/19",  # May 2019 or 5 January? Not guessed.
        "5/6/019",
        "05/06/0219",
        "05/06/2019/1",
        "2019-05-31-01",
        "31 Maybe 2019",
        "5 June 2019 and more",
        "٣/٤/٢٠١٩",  # non-ASCII digits
    ],
)
def test_unreadable_dates_are_refused(text: str) -> None:
    with pytest.raises(UserError) as error:
        parse_uk_date(text)
    message = str(error.value)
    assert f'"{text.strip()}"' in message
    assert ACCEPTED_DATE_FORMATS in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_asks_for_a_date(text: str) -> None:
    with pytest.raises(UserError, match="I need a date. Use 31/05/2019"):
        parse_uk_date(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2019", "February 2019 has 28 days"),
        ("30 Feb 2020", "February 2020 has 29 days"),
        ("06/13/2019", "the day comes first"),
        ("Mon 5 June 2019", "5 June 2019 is a Wednesday"),
        ("5/6/1066", "the year should be between 1900 and 2199"),
    ],
)
def test_refusals_say_why(text: str, reason: str) -> None:
    with pytest.raises(UserError, match=reason):
        parse_uk_date(text)


def test_refusal_message_shape() -> None:
    with pytest.raises(UserError) as error:
        parse_uk_date("soon")
    assert str(error.value) == f'I can\'t read "soon" as a date. Use {ACCEPTED_DATE_FORMATS}.'
    assert ACCEPTED_DATE_FORMATS.startswith("31/05/2019, 2019-05-31")


def test_long_text_is_shortened_in_the_message() -> None:
    with pytest.raises(UserError) as error:
        parse_uk_date("x" * 500)
    assert len(str(error.value)) < 200


@pytest.mark.parametrize(
    ("d", "precision", "expected"),
    [
        (dt.date(2019, 5, 31), DAY, "31 May 2019"),
        (dt.date(2019, 5, 1), DAY, "1 May 2019"),
        (dt.date(2019, 5, 31), MONTH, "May 2019"),
        (dt.date(2020, 2, 29), MONTH, "February 2020"),
        (dt.date(2019, 9, 3), "month", "September 2019"),
    ],
)
def test_format_day(d: dt.date, precision: DatePrecision, expected: str) -> None:
    assert format_day(d, precision) == expected


def test_format_defaults_to_day_and_parsed_date_prints_itself() -> None:
    assert format_day(dt.date(2019, 6, 5)) == "5 June 2019"
    assert str(parse_uk_date("May-19")) == "May 2019"
    assert str(parse_uk_date("5/6/19")) == "5 June 2019"


def test_format_day_with_its_weekday() -> None:
    assert format_day(dt.date(2019, 5, 31), weekday=True) == "Friday 31 May 2019"
    assert format_day(dt.date(2019, 5, 31), MONTH, weekday=True) == "May 2019"


def test_format_moment_shows_the_boards_local_time() -> None:
    # 23:30 UTC on 31 May is already 1 June in London (BST): the board's day is shown.
    moment = dt.datetime(2019, 5, 31, 23, 30, tzinfo=dt.UTC)
    assert format_moment(moment, "Europe/London") == "1 June 2019 00:30"
    assert format_moment(moment, "Europe/London", weekday=True, zone_name=True) == (
        "Saturday 1 June 2019 00:30 BST"
    )
    with pytest.raises(ValueError):
        format_moment(dt.datetime(2019, 5, 31, 9, 0), "Europe/London")


def test_precision_values_are_stable() -> None:
    assert DatePrecision.DAY == "day"
    assert DatePrecision.MONTH == "month"


@pytest.mark.parametrize("value", [None, "", "  ", "TBC", "tba", "n/a", "Ongoing", "-", "None"])
def test_blank_cells_have_no_date(value: object) -> None:
    assert parse_uk_date_or_none(value) is None


def test_spreadsheet_cells() -> None:
    assert parse_uk_date_or_none(dt.date(2019, 5, 31)) == ParsedDate(dt.date(2019, 5, 31), DAY)
    assert parse_uk_date_or_none(dt.datetime(2019, 5, 31, 0, 0)) == ParsedDate(
        dt.date(2019, 5, 31), DAY
    )
    assert parse_uk_date_or_none(" May-19 ") == ParsedDate(dt.date(2019, 5, 31), MONTH)
    with pytest.raises(UserError):
        parse_uk_date_or_none("soon")


def test_last_day_of_month() -> None:
    assert [last_day_of_month(2019, m).day for m in range(1, 13)] == [
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]  # fmt: skip
    assert last_day_of_month(2020, 2) == dt.date(2020, 2, 29)
    assert last_day_of_month(2100, 2) == dt.date(2100, 2, 28)


# --- properties -------------------------------------------------------------------------------

dates_1990_2090 = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


@given(dates_1990_2090)
def test_day_first_and_iso_round_trip(d: dt.date) -> None:
    expected = ParsedDate(d, DAY)
    assert parse_uk_date(d.strftime("%d/%m/%Y")) == expected
    assert parse_uk_date(f"{d.day}/{d.month}/{d.year}") == expected
    assert parse_uk_date(d.strftime("%d-%m-%Y")) == expected
    assert parse_uk_date(d.strftime("%d.%m.%Y")) == expected
    assert parse_uk_date(d.isoformat()) == expected
    assert parse_uk_date(format_day(d)) == expected


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_two_digit_years_round_trip(d: dt.date) -> None:
    assert parse_uk_date(d.strftime("%d/%m/%y")) == ParsedDate(d, DAY)


@given(st.integers(2000, 2099), st.integers(1, 12), st.integers(0, 5))
def test_month_only_forms_give_the_last_day(year: int, month: int, form: int) -> None:
    name = MONTH_NAMES[month]
    text = [
        f"{name[:3]}-{year % 100:02d}",
        f"{name} {year}",
        f"{name[:3]} {year % 100:02d}",
        f"{year}-{month:02d}",
        f"{month:02d}/{year}",
        format_day(dt.date(year, month, 1), MONTH),
    ][form]
    parsed = parse_uk_date(text)
    assert parsed.precision is MONTH
    assert parsed.value == last_day_of_month(year, month)
    assert (parsed.value + dt.timedelta(days=1)).day == 1


@settings(max_examples=300)
@given(st.text())
def test_any_text_is_a_date_or_a_user_error(text: str) -> None:
    try:
        parsed = parse_uk_date(text)
    except UserError as error:
        assert "\n" not in str(error)
    else:
        assert isinstance(parsed.value, dt.date)


_PIECES = [
    "0", "5", "05", "12", "13", "29", "31", "00", "19", "99", "2019", "2020", "0219", "th", "st",
    "June", "feb", "SEPT", "May", "Wed", "monday", "of", "the", "/", "-", ".", " ", ",", "T",
    ":", "10:00",
]  # fmt: skip
_DATEISH = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@settings(max_examples=300)
@given(_DATEISH)
def test_date_like_text_is_a_date_or_a_user_error(text: str) -> None:
    try:
        parsed = parse_uk_date(text)
    except UserError:
        return
    assert 1900 <= parsed.value.year <= 2199
