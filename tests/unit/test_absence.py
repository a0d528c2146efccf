import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.absence import (
    Absence,
    Cover,
    CoverKind,
    first_working_day_back,
    is_quiet_day,
    overridden_by,
    parse_absence_period,
    recipient_for,
    working_days_away,
)
from bot.core.calendar import calendar_for
from bot.core.errors import UserError

D = dt.date
ENG = calendar_for("ENG")
JO, SAM, KIM = 1, 2, 3


def test_owner_gets_their_own_messages_when_not_away() -> None:
    away = [Absence(JO, D(2019, 7, 22), D(2019, 8, 9), SAM)]
    assert recipient_for(JO, D(2019, 7, 19), away) == Cover(JO, CoverKind.OWNER, JO)
    assert recipient_for(SAM, D(2019, 7, 24), away).recipient == SAM


def test_deputy_covers_from_the_first_to_the_last_day_then_it_ends_by_itself() -> None:
    absence = Absence(JO, D(2019, 7, 22), D(2019, 8, 9), SAM)
    for day in (D(2019, 7, 22), D(2019, 8, 1), D(2019, 8, 9)):
        cover = recipient_for(JO, day, [absence])
        assert cover == Cover(JO, CoverKind.DEPUTY, SAM, absence)
        assert cover.covering_for == JO
    assert recipient_for(JO, D(2019, 8, 10), [absence]).kind == CoverKind.OWNER
    assert recipient_for(JO, D(2019, 8, 12), [absence]).recipient == JO


def test_away_without_a_deputy_means_nobody_is_chased() -> None:
    absence = Absence(JO, D(2019, 7, 22), D(2019, 8, 9))
    cover = recipient_for(JO, D(2019, 7, 30), [absence])
    assert cover == Cover(JO, CoverKind.NO_COVER, None, absence)
    assert cover.covering_for is None


def test_a_deputy_who_is_away_too_leaves_no_cover_and_cover_does_not_chain() -> None:
    away = [
        Absence(JO, D(2019, 7, 22), D(2019, 8, 9), SAM),
        Absence(SAM, D(2019, 8, 5), D(2019, 8, 16), KIM),
    ]
    assert recipient_for(JO, D(2019, 8, 2), away).recipient == SAM
    assert recipient_for(JO, D(2019, 8, 5), away).kind == CoverKind.NO_COVER
    assert recipient_for(SAM, D(2019, 8, 5), away).recipient == KIM


def test_the_absence_set_last_wins_on_the_days_it_overlaps() -> None:
    first = Absence(JO, D(2019, 7, 22), D(2019, 8, 9), SAM)
    second = Absence(JO, D(2019, 8, 5), D(2019, 8, 16), KIM)
    away = [first, second]
    assert recipient_for(JO, D(2019, 8, 2), away).recipient == SAM
    assert recipient_for(JO, D(2019, 8, 5), away).recipient == KIM
    assert recipient_for(JO, D(2019, 8, 16), away).recipient == KIM
    assert recipient_for(JO, D(2019, 8, 5), [second, first]).recipient == SAM
    assert overridden_by(second, [first]) == [first]
    assert overridden_by(Absence(SAM, D(2019, 8, 5), D(2019, 8, 6)), [first]) == []
    assert overridden_by(Absence(JO, D(2019, 8, 10), D(2019, 8, 12)), [first]) == []


def test_summer_absence_without_a_bank_holiday() -> None:
    absence = Absence(JO, D(2019, 7, 22), D(2019, 8, 9), SAM)
    assert working_days_away(absence, ENG) == 15
    assert first_working_day_back(absence, ENG) == D(2019, 8, 12)


def test_absence_across_the_august_bank_holiday_2019() -> None:
    """Mon 19 Aug to Fri 30 Aug 2019: ten weekdays, less Mon 26 Aug (Summer bank holiday) = 9.

    Ending on Fri 23 Aug instead, the first working day back is Tue 27 Aug.
    """
    absence = Absence(JO, D(2019, 8, 19), D(2019, 8, 30), SAM)
    assert working_days_away(absence, ENG) == 9
    assert first_working_day_back(absence, ENG) == D(2019, 9, 2)
    to_friday = Absence(JO, D(2019, 8, 12), D(2019, 8, 23))
    assert working_days_away(to_friday, ENG) == 10
    assert first_working_day_back(to_friday, ENG) == D(2019, 8, 27)
    # Scotland's summer holiday is 5 Aug, so the same fortnight keeps all ten days there.
    assert working_days_away(absence, calendar_for("SCT")) == 10


def test_absence_days_are_quiet_like_weekends_and_bank_holidays() -> None:
    away = [Absence(JO, D(2019, 8, 19), D(2019, 8, 23))]
    quiet = [
        d
        for d in (D(2019, 8, 16) + dt.timedelta(days=i) for i in range(12))
        if is_quiet_day(JO, d, away, ENG)
    ]
    assert quiet == [
        D(2019, 8, 17),
        D(2019, 8, 18),
        D(2019, 8, 19),
        D(2019, 8, 20),
        D(2019, 8, 21),
        D(2019, 8, 22),
        D(2019, 8, 23),
        D(2019, 8, 24),
        D(2019, 8, 25),
        D(2019, 8, 26),
    ]
    assert not is_quiet_day(SAM, D(2019, 8, 19), away, ENG)


@given(
    start=st.dates(D(2019, 1, 1), D(2026, 12, 31)),
    length=st.integers(0, 60),
    offset=st.integers(-10, 70),
)
def test_away_exactly_from_start_to_end(start: dt.date, length: int, offset: int) -> None:
    absence = Absence(JO, start, start + dt.timedelta(days=length), SAM)
    day = start + dt.timedelta(days=offset)
    expected = CoverKind.DEPUTY if 0 <= offset <= length else CoverKind.OWNER
    assert recipient_for(JO, day, [absence]).kind == expected
    assert working_days_away(absence, ENG) == ENG.working_days_between(
        start - dt.timedelta(days=1), absence.end
    )


def test_an_absence_must_not_end_before_it_starts_or_be_its_own_deputy() -> None:
    with pytest.raises(ValueError):
        Absence(JO, D(2019, 8, 9), D(2019, 7, 22))
    with pytest.raises(ValueError):
        Absence(JO, D(2019, 8, 9), D(2019, 8, 9), JO)


@pytest.mark.parametrize(
    "text",
    [
        "22/07/2019 to 09/08/2019",
        "from 22/07/2019 until 09/08/2019",
        "From 22 July 2019 till 9 August 2019",
        "2019-07-22 to 2019-08-09",
        "22/07/2019 - 09/08/2019",
    ],
)
def test_parse_absence_period(text: str) -> None:
    assert parse_absence_period(text) == (D(2019, 7, 22), D(2019, 8, 9))


def test_parse_one_day_absence() -> None:
    assert parse_absence_period("26/08/2019 to 26/08/2019") == (D(2019, 8, 26), D(2019, 8, 26))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("09/08/2019 to 22/07/2019", "Put the first day first"),
        ("22/07/2019", "first and last day away"),
        ("", "first and last day away"),
        ("July 2019 to August 2019", "exact day"),
        ("22/07/2019 to 31/02/2020", "February 2020 has 29 days"),
        ("22/07/2019 to 22/07/2021", "at most a year"),
    ],
)
def test_parse_refuses_with_one_friendly_line(text: str, says: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_absence_period(text)
    assert says in refused.value.message
    assert "\n" not in refused.value.message
