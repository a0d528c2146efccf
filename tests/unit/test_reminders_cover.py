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
