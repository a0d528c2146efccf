"""Owners away and their deputies, end to end, on exact dates around the late-May bank holiday
of 2019 (Monday 27 May). The clock starts on Thursday 16 May 2019, when Jane's 4.1 is due in
ten days and her reminder goes out."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.sandbox.local import LocalBot
from db.models import ProgressUpdate
from tests.e2e.seed import Seeded, seed_board
from tests.e2e.test_board_command import ask
from tests.e2e.test_thread_replies import ONE_ACTION_DAY

pytestmark = pytest.mark.e2e

JANE, MO, ADMIN, OMAR = "UJANE00000", "UMEMBER000", "UADMIN0000", "UOMAR00000"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def dms(local: LocalBot, user: str) -> list[str]:
    channel = local.emulator.dm_channel(user)
    return [
        m.text
        for m in local.emulator.messages(channel=channel, include_ephemeral=False)
        if m.from_bot
    ]


def test_a_deputy_covers_across_the_bank_holiday_then_the_owner_is_back(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    away = local.emulator.slash(JANE, "/progress", f"away 16/05/2019 to 28/05/2019 deputy <@{MO}>")
    assert "You're away from 16 May 2019 to 28 May 2019 (8 working days)" in away.text
    assert "back on 29 May 2019" in away.text  # Monday 27 May is a bank holiday
    assert "Mo Member covers" in away.text
    (digest,) = ask(local, "UCHAIR0000", "digest")
    assert "Jane Doe is away until 28 May 2019; Mo Member covers" in digest.all_text()

    clock.set(ONE_ACTION_DAY)
    local.run_jobs()
    (reminder,) = local.emulator.wait_for(lambda: dms(local, MO), what="the deputy's reminder")
    assert "(4.1)" in reminder or "4.1" in reminder
    assert dms(local, JANE) == []  # the owner, away, hears nothing

    # Tuesday 28 May, after the bank holiday: still covering
    clock.set(dt.datetime(2019, 5, 28, 8, 30, tzinfo=dt.UTC))
    recorded = local.emulator.slash(MO, "/progress", "4.1 amber carers' survey slipped")
    assert "Recorded an update on *4.1*" in recorded.text
    assert "covering for Jane Doe" in recorded.text
    with local.services.uow() as uow:
        update = uow.session.scalars(select(ProgressUpdate)).one()
        assert update.covering_for_id == board.people["jane"]
        assert update.author_id == board.people["mo"]

    (history,) = ask(local, "UCHAIR0000", "history 4.1")
    assert "Mo Member, covering for Jane Doe" in history.all_text()

    # Wednesday 29 May: Jane is back, so Mo no longer may
    clock.set(dt.datetime(2019, 5, 29, 8, 30, tzinfo=dt.UTC))
    refused = local.emulator.slash(MO, "/progress", "4.1 green all fine")
    assert refused.text.startswith(":warning:")


def test_the_deputy_sees_whom_they_cover(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    local.emulator.slash(JANE, "/progress", f"away 16/05/2019 deputy <@{MO}>")
    clock.set(ONE_ACTION_DAY)
    local.run_jobs()
    (reminder,) = local.emulator.wait_for(lambda: dms(local, MO), what="the deputy's reminder")
    channel = local.emulator.dm_channel(MO)
    (message,) = [m for m in local.emulator.messages(channel=channel) if m.from_bot]
    assert "covering for Jane Doe" in message.all_text()


def test_no_deputy_means_no_reminders_and_back_and_cancel(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    answer = local.emulator.slash(JANE, "/progress", "away 16/05/2019 to 17/05/2019")
    assert "No deputy: no reminders go out meanwhile" in answer.text
    clock.set(ONE_ACTION_DAY)
    local.run_jobs()
    local.deliver()
    assert dms(local, JANE) == []

    back = local.emulator.slash(JANE, "/progress", "back")
    assert "Welcome back" in back.text
    later = local.emulator.slash(JANE, "/progress", "away 22/07/2019 to 09/08/2019")
    assert "22 July 2019 to 9 August 2019 (15 working days)" in later.text
    cancelled = local.emulator.slash(JANE, "/progress", "away cancel")
    assert "Cancelled the absence 22 July 2019 to 9 August 2019" in cancelled.text


def test_an_admin_sets_someone_away(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(
        ADMIN, "/plan", f"people away <@{OMAR}> 22/07/2019 to 09/08/2019 deputy <@{JANE}>"
    )
    (answer,) = result.wait_for_response()
    assert "Omar Shah is away from 22 July 2019 to 9 August 2019" in answer.text
    assert "Jane Doe covers" in answer.text
    refused = local.emulator.slash(JANE, "/plan", f"people away <@{OMAR}> 22/07/2019")
    assert "admin" in refused.wait_for_response()[0].text.lower()


def away_lines(local: LocalBot) -> str:
    (digest,) = ask(local, "UCHAIR0000", "digest")
    return digest.all_text()


def test_leave_set_again_replaces_it_and_the_digest_shows_the_new_return_date(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    """Thursday 16 May 2019. Jane books 16–28 May, then comes back sooner (16–21 May): from
    Wednesday 22 May she is back, and the digest never shows 28 May again."""
    local.emulator.slash(JANE, "/progress", f"away 16/05/2019 to 28/05/2019 deputy <@{MO}>")
    again = local.emulator.slash(JANE, "/progress", f"away 16/05/2019 to 21/05/2019 deputy <@{MO}>")
    assert "back on 22 May 2019" in again.text
    assert "replaces what was set before from 16 May 2019: 16 May 2019 to 28 May 2019" in again.text
    assert "Jane Doe is away until 21 May 2019; Mo Member covers" in away_lines(local)
    clock.set(dt.datetime(2019, 5, 22, 8, 30, tzinfo=dt.UTC))
    text = away_lines(local)
    assert "Jane Doe is away" not in text and "28 May 2019" not in text
    # Mo may no longer update Jane's actions: she is back
    assert local.emulator.slash(MO, "/progress", "4.1 green fine").text.startswith(":warning:")


def test_leave_extended_from_a_later_day_shows_the_last_day_away(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    """16–20 May, then 20–31 May set later: the digest on 16 May says until 31 May."""
    local.emulator.slash(JANE, "/progress", f"away 16/05/2019 to 20/05/2019 deputy <@{MO}>")
    local.emulator.slash(JANE, "/progress", f"away 20/05/2019 to 31/05/2019 deputy <@{MO}>")
    assert "Jane Doe is away until 31 May 2019; Mo Member covers" in away_lines(local)


def test_overdue_actions_of_an_owner_away_with_no_cover_are_listed_for_the_chair(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    """Omar's 4.2 was due Tuesday 30 April 2019. He is away Thursday 16 to Friday 24 May with
    no deputy: the digest and the pack list 4.2 under "Owner away, no cover" on those days
    (11 working days overdue on the 16th, across the early-May bank holiday), and not once
    he is back on Tuesday 28 May (Monday 27 May is a bank holiday)."""
    local.emulator.slash(
        ADMIN, "/plan", f"people away <@{OMAR}> 16/05/2019 to 24/05/2019"
    ).wait_for_response()
    text = away_lines(local)
    assert "Owner away, no cover" in text
    section = text.split("Owner away, no cover", 1)[1].split("\n*", 1)[0]
    assert "*4.2* Review placement sufficiency — Omar Shah — *11 working days* overdue" in section
    assert "4.1" not in section
    (pack, *_) = ask(local, "UCHAIR0000", "pack", count=None)
    assert "Owner away, no cover" in pack.all_text()

    clock.set(dt.datetime(2019, 5, 24, 8, 30, tzinfo=dt.UTC))
    assert "Owner away, no cover" in away_lines(local)
    clock.set(dt.datetime(2019, 5, 28, 8, 30, tzinfo=dt.UTC))
    assert "Owner away, no cover" not in away_lines(local)


def test_an_owner_away_with_a_deputy_is_not_listed_as_without_cover(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(
        ADMIN, "/plan", f"people away <@{OMAR}> 16/05/2019 to 24/05/2019 deputy <@{JANE}>"
    ).wait_for_response()
    text = away_lines(local)
    assert "Omar Shah is away until 24 May 2019; Jane Doe covers" in text
    assert "Owner away, no cover" not in text


def test_a_deputy_who_is_away_too_leaves_the_owner_without_cover(
    local: LocalBot, board: Seeded
) -> None:
    """Mo (no actions of his own) covers Omar but is away himself on 16 May 2019."""
    local.emulator.slash(MO, "/progress", "away 16/05/2019 to 17/05/2019")
    local.emulator.slash(
        ADMIN, "/plan", f"people away <@{OMAR}> 16/05/2019 to 24/05/2019 deputy <@{MO}>"
    ).wait_for_response()
    text = away_lines(local)
    assert "Omar Shah is away until 24 May 2019; no cover" in text
    assert "*4.2* Review placement sufficiency" in text.split("Owner away, no cover", 1)[1]


def test_the_deputy_is_told_the_working_day_before_whom_they_cover_from_when_to_when(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    """Jane books Tuesday 28 May to Friday 7 June 2019 with Mo covering. Monday 27 May is a
    bank holiday, so at 09:00 on Friday 24 May Mo hears whom he covers and from when to when."""
    local.emulator.slash(JANE, "/progress", f"away 28/05/2019 to 07/06/2019 deputy <@{MO}>")
    clock.set(dt.datetime(2019, 5, 23, 8, 0, tzinfo=dt.UTC))
    local.run_jobs()
    local.deliver()
    assert not any("you cover for" in text for text in dms(local, MO))
    clock.set(dt.datetime(2019, 5, 24, 8, 0, tzinfo=dt.UTC))
    local.run_jobs()
    texts = local.emulator.wait_for(
        lambda: [t for t in dms(local, MO) if "you cover for" in t], what="the deputy's notice"
    )
    assert texts == [
        ":busts_in_silhouette: From Tuesday 28 May 2019 to Friday 7 June 2019 you cover for "
        "Jane Doe while they're away (back on Monday 10 June 2019). Their reminders, escalations "
        "and the board's challenges come to you, saying whom you cover, and you may update "
        "their actions meanwhile: `/progress <ref> <status> <note>`."
    ]
    local.run_jobs()
    local.deliver()
    assert len([t for t in dms(local, MO) if "you cover for" in t]) == 1  # once
