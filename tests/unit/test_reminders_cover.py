"""Reminders and escalations for someone away: to the deputy, saying whom they cover, or to
nobody; an escalation about an owner away with no cover says so. Exact dates around the
late-May bank holiday of 2019."""

from __future__ import annotations

import datetime as dt

from bot.core.absence import Absence
from bot.core.reminders import (
    ESCALATION,
    OWNER_AWAY_NO_COVER,
    REMINDER,
    Item,
    Message,
    PersonRef,
    dm_key,
    with_cover,
)

JO, SAM, CHAIR = (
    PersonRef(1, "Jo Doe", "UJO"),
    PersonRef(2, "Sam Smith", "USAM"),
    PersonRef(3, "Chris", "UCH"),
)
AT = dt.datetime(2019, 5, 24, 8, 0, tzinfo=dt.UTC)


def dm(kind: str, person: PersonRef, day: dt.date, action_id: int = 10) -> Message:
    return Message(
        kind=kind,
        key=dm_key(kind, person.person_id, day),
        board_id=1,
        recipient=person,
        channel_id=None,
        day=day,
        send_at=AT,
        items=(Item(action_id, "4.1", "overdue", 10),),
    )


def test_an_absence_across_the_bank_holiday_sends_to_the_deputy_until_the_owner_is_back() -> None:
    away = [Absence(JO.person_id, dt.date(2019, 5, 24), dt.date(2019, 5, 28), SAM.person_id)]
    deputies = {SAM.person_id: SAM}
    for day in (dt.date(2019, 5, 24), dt.date(2019, 5, 28)):  # Fri, then Tue after the holiday
        (sent,) = with_cover([dm(REMINDER, JO, day)], away, deputies)
        assert sent.recipient == SAM
        assert sent.note == "You're covering for Jo Doe while they're away."
        assert sent.key == f"reminder:person:1:{day.isoformat()}:cover:2"
    (back,) = with_cover([dm(REMINDER, JO, dt.date(2019, 5, 29))], away, deputies)
    assert back.recipient == JO and back.note is None


def test_no_cover_means_nothing_for_the_owner_and_the_chair_hears_owner_away() -> None:
    away = [Absence(JO.person_id, dt.date(2019, 5, 24), dt.date(2019, 5, 28))]
    day = dt.date(2019, 5, 28)
    assert with_cover([dm(REMINDER, JO, day)], away, {}) == []
    (escalation,) = with_cover([dm(ESCALATION, CHAIR, day)], away, {}, {10: (JO.person_id,)})
    assert escalation.recipient == CHAIR and escalation.note == OWNER_AWAY_NO_COVER
    (usual,) = with_cover(
        [dm(ESCALATION, CHAIR, dt.date(2019, 5, 29))], away, {}, {10: (JO.person_id,)}
    )
    assert usual.note is None


def _notices(start: dt.date, end: dt.date, now: dt.datetime, absences: tuple = ()) -> list:
    from bot.core.reminders import BoardFacts, CoverFacts, cover_notices_due

    facts = CoverFacts(7, 1, JO, SAM, start, end)
    return cover_notices_due([BoardFacts(1, "Board")], [facts], now, list(absences))


def at_nine(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=dt.UTC)  # 09:00 BST


def test_the_deputy_hears_on_the_last_working_day_before_the_absence_starts() -> None:
    """Jo is away Tuesday 28 May to Friday 7 June 2019, Sam covering. Monday 27 May is a bank
    holiday, so Sam is told on Friday 24 May, and on no other day."""
    from bot.core.reminders import COVER_NOTICE

    start, end = dt.date(2019, 5, 28), dt.date(2019, 6, 7)
    (notice,) = _notices(start, end, at_nine(dt.date(2019, 5, 24)))
    assert notice.kind == COVER_NOTICE and notice.recipient == SAM and notice.absence_id == 7
    assert notice.day == dt.date(2019, 5, 24)
    assert notice.key == "cover_notice:7:2019-05-28:2019-06-07:person:2"
    for day in (23, 25, 26, 27, 28):  # too early, the weekend, the bank holiday, the first day
        assert _notices(start, end, at_nine(dt.date(2019, 5, day))) == []
    assert _notices(start, end, dt.datetime(2019, 5, 24, 7, 59, tzinfo=dt.UTC)) == []  # 08:59


def test_a_deputy_away_that_day_is_not_told() -> None:
    start, end = dt.date(2019, 5, 28), dt.date(2019, 6, 7)
    sam_away = (Absence(SAM.person_id, dt.date(2019, 5, 24), dt.date(2019, 5, 24)),)
    assert _notices(start, end, at_nine(dt.date(2019, 5, 24)), sam_away) == []
