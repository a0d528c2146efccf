import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.calendar import calendar_for
from bot.core.deadlines import (
    NAMED_CLOCKS,
    Deadline,
    WorkingDaysRule,
    countdown,
    deadline_from_working_days,
    deadline_reminders_due,
    due_from_working_days,
    next_monitoring_visit,
    parse_deadline,
    scrutiny_report,
    statement_of_action,
)
from bot.core.errors import UserError

D = dt.date
ENG = calendar_for("ENG")
SOA = "Statement of action"


def test_seventy_working_days_across_easter_and_both_may_bank_holidays_2019() -> None:
    """70 working days from Tuesday 12 March 2019 in England is Monday 24 June 2019.

    By hand, counting from the day after the start: 13–29 Mar = 13 (3 + 5 + 5); 1–12 Apr = 10
    (23); 15–18 Apr = 4 (27), Good Friday 19 Apr and Easter Monday 22 Apr skipped; 23–26 Apr = 4
    (31); 29 Apr–3 May = 5 (36); 6 May bank holiday skipped, 7–10 May = 4 (40); 13–24 May = 10
    (50); 27 May bank holiday skipped, 28–31 May = 4 (54); 3–21 Jun = 15 (69); Monday 24 June = 70.
    Without the four bank holidays it would be Tuesday 18 June.
    """
    due = due_from_working_days(D(2019, 3, 12), 70, ENG)
    assert due == D(2019, 6, 24)
    assert ENG.working_days_between(D(2019, 3, 12), due) == 70
    skipped = [D(2019, 4, 19), D(2019, 4, 22), D(2019, 5, 6), D(2019, 5, 27)]
    assert all(not ENG.is_working_day(d) for d in skipped)


def test_statement_of_action_clock_is_70_working_days_from_publication() -> None:
    deadline = statement_of_action(D(2019, 3, 12), ENG, owner_id=7)
    assert deadline == Deadline(
        "Written statement of action to Ofsted",
        D(2019, 6, 24),
        WorkingDaysRule(D(2019, 3, 12), 70),
        7,
    )
    assert deadline.rule is not None
    assert deadline.rule.describe() == "70 working days from Tuesday 12 March 2019"


def test_scotland_counts_its_own_bank_holidays() -> None:
    # Scotland has no Easter Monday holiday, so the same clock ends a working day earlier.
    assert due_from_working_days(D(2019, 3, 12), 70, calendar_for("SCT")) == D(2019, 6, 21)


def test_countdown_text_days_left() -> None:
    deadline = Deadline(SOA, D(2019, 6, 21))
    shown = countdown(deadline, D(2019, 5, 31), ENG)
    assert shown.working_days_left == 15
    assert shown.text == "Statement of action: 15 working days left, due Friday 21 June 2019"
    assert not shown.overdue and not shown.red
    one = countdown(deadline, D(2019, 6, 20), ENG)
    assert one.text == "Statement of action: 1 working day left, due Friday 21 June 2019"


def test_countdown_on_the_day_is_zero() -> None:
    shown = countdown(Deadline(SOA, D(2019, 6, 21)), D(2019, 6, 21), ENG)
    assert shown.working_days_left == 0
    assert shown.text == "Statement of action: due today, Friday 21 June 2019"
    assert not shown.red


def test_countdown_overdue_is_red() -> None:
    shown = countdown(Deadline(SOA, D(2019, 6, 21)), D(2019, 6, 26), ENG)
    assert shown.working_days_left == -3
    assert shown.overdue and shown.red
    assert shown.text == "Statement of action: 3 working days overdue, was due Friday 21 June 2019"


def test_countdown_the_weekend_after_the_due_date_is_overdue() -> None:
    shown = countdown(Deadline(SOA, D(2019, 6, 21)), D(2019, 6, 22), ENG)
    assert shown.working_days_left == 0
    assert shown.red
    assert shown.text == "Statement of action: overdue, was due Friday 21 June 2019"


def test_countdown_due_on_a_bank_holiday_counts_to_the_working_day_before() -> None:
    # Due Monday 26 August 2019 (bank holiday): Friday 23 August is the last working day.
    deadline = Deadline("Return", D(2019, 8, 26))
    assert countdown(deadline, D(2019, 8, 23), ENG).text == (
        "Return: last working day, due Monday 26 August 2019"
    )
    assert countdown(deadline, D(2019, 8, 22), ENG).working_days_left == 1


def test_reminders_at_20_10_5_and_0_working_days() -> None:
    deadline = deadline_from_working_days(SOA, D(2019, 3, 12), 70, ENG)  # due Monday 24 June 2019
    days = [D(2019, 3, 12) + dt.timedelta(days=i) for i in range(120)]
    sent = {d: deadline_reminders_due(deadline, d, ENG) for d in days}
    sent = {d: points for d, points in sent.items() if points}
    assert sent == {
        D(2019, 5, 24): (20,),  # Fri: 28 May–24 Jun holds 20, the 27 May holiday skipped
        D(2019, 6, 10): (10,),
        D(2019, 6, 17): (5,),
        D(2019, 6, 24): (0,),
    }


def test_no_reminder_on_weekends_or_after_the_due_date() -> None:
    deadline = Deadline(SOA, D(2019, 6, 22))  # a Saturday
    assert deadline_reminders_due(deadline, D(2019, 6, 21), ENG) == (0,)
    assert deadline_reminders_due(deadline, D(2019, 6, 22), ENG) == ()
    assert deadline_reminders_due(deadline, D(2019, 6, 24), ENG) == ()


@given(
    due=st.dates(D(2019, 1, 1), D(2026, 12, 31)),
    back=st.integers(0, 120),
)
def test_countdown_agrees_with_the_calendar(due: dt.date, back: int) -> None:
    today = due - dt.timedelta(days=back)
    shown = countdown(Deadline("X", due), today, ENG)
    assert shown.working_days_left == ENG.working_days_between(today, due)
    assert not shown.overdue
    later = countdown(Deadline("X", due), due + dt.timedelta(days=back + 1), ENG)
    assert later.overdue
    assert later.working_days_left == -ENG.working_days_between(due, due + dt.timedelta(back + 1))


@given(start=st.dates(D(2019, 1, 1), D(2026, 12, 31)), n=st.integers(1, 300))
def test_reminders_fall_on_the_days_the_calendar_names(start: dt.date, n: int) -> None:
    deadline = deadline_from_working_days("X", start, n, ENG)
    assert ENG.working_days_between(start, deadline.due) == n
    for point in (20, 10, 5, 0):
        if point <= n:
            day = ENG.day_with_working_days_left(deadline.due, point)
            assert deadline_reminders_due(deadline, day, ENG) == (point,)
            assert countdown(deadline, day, ENG).working_days_left == point


def test_monitoring_visit_interval_is_an_explicit_input() -> None:
    visit = next_monitoring_visit(D(2019, 5, 26), 3, ENG)
    assert visit.due == D(2019, 8, 27)  # 26 Aug is the bank holiday
    assert next_monitoring_visit(D(2019, 11, 30), 3, ENG).due == D(2020, 3, 2)  # 29 Feb: Sat
    with pytest.raises(UserError):
        next_monitoring_visit(D(2019, 5, 26), 0, ENG)


def test_scrutiny_report_due_working_days_before_the_meeting() -> None:
    # Committee Tuesday 28 May 2019; 10 working days before skips the 27 May bank holiday.
    assert scrutiny_report(D(2019, 5, 28), 10, ENG).due == D(2019, 5, 13)
    assert scrutiny_report(D(2019, 5, 28), 0, ENG).due == D(2019, 5, 28)


def test_named_clocks_say_what_they_count_from() -> None:
    assert set(NAMED_CLOCKS) == {"statement-of-action", "monitoring-visit", "scrutiny-report"}
    assert NAMED_CLOCKS["statement-of-action"].parameters == ()
    assert [p.name for p in NAMED_CLOCKS["monitoring-visit"].parameters] == ["months"]
    assert all(c.counts_from and c.explanation for c in NAMED_CLOCKS.values())


def test_parse_working_days_form() -> None:
    request = parse_deadline(
        '"Written statement of action to Ofsted" 70 working days from 12/03/2019'
    )
    assert request.title == "Written statement of action to Ofsted"
    assert request.rule == WorkingDaysRule(D(2019, 3, 12), 70)
    assert request.deadline(ENG).due == D(2019, 6, 24)


def test_parse_due_form_with_curly_quotes_and_words() -> None:
    request = parse_deadline("“Scrutiny report”  due 28 June 2019")
    assert request.title == "Scrutiny report"
    assert request.deadline(ENG, owner_id=3) == Deadline("Scrutiny report", D(2019, 6, 28), None, 3)
    assert parse_deadline('"Plan refresh" due June 2019').due == D(2019, 6, 30)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Statement 70 working days from 12/03/2019", "title in quotes"),
        ('"" due 28/06/2019', "title is empty"),
        ('"Statement"', "when it is due"),
        ('"Statement" 70 days from 12/03/2019', "when it is due"),
        ('"Statement" 0 working days from 12/03/2019', "between 1 and"),
        ('"Statement" 70 working days from March 2019', "the day it starts"),
        ('"Statement" due 31/02/2019', "February 2019 has 28 days"),
        ('"Statement" due 06/13/2019', "the day comes first"),
    ],
)
def test_parse_refuses_with_one_friendly_line(text: str, says: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_deadline(text)
    assert says in refused.value.message
    assert "\n" not in refused.value.message


def test_the_counting_convention_start_day_not_counted_not_the_issues_friday() -> None:
    """Which reading of "70 working days from 12/03/2019" gives Friday 21 June 2019?

    Counting 12 March itself as working day 1 ("publication day counts") makes the 70th
    working day the 69th after it: Friday 21 June, one working day before Monday 24 June.
    The same Friday comes from a calendar without Easter Monday (Scotland's), but ILACS is
    England's. English law counts a period "from" or "of" a day without that day (CPR 2.8; the
    common-law rule for "within N days of"), so the rule keeps the start day out: Monday 24 June.
    """
    start = D(2019, 3, 12)
    inclusive_day_70 = ENG.add_working_days(start, 69)  # 12 March is day 1
    assert inclusive_day_70 == D(2019, 6, 21)
    assert ENG.is_working_day(start)
    assert len(ENG.working_days_in_range(start, D(2019, 6, 21))) == 70  # both ends counted
    assert due_from_working_days(start, 70, ENG) == D(2019, 6, 24)  # the rule: start not counted
    assert due_from_working_days(start, 70, calendar_for("SCT")) == D(2019, 6, 21)
    assert statement_of_action(start, ENG).due == D(2019, 6, 24)
