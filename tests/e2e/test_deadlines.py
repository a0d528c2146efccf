"""Statutory and board deadlines end to end: added by an admin in the board's working days,
listed by `/plan deadlines` and `/board deadlines`, removed by title. The clock stands at
Thursday 16 May 2019."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import ManualClock
from bot.sandbox.local import LocalBot
from tests.e2e.seed import Seeded, seed_board
from tests.e2e.test_board_command import ask

pytestmark = pytest.mark.e2e

JANE, ADMIN, CHAIR = "UJANE00000", "UADMIN0000", "UCHAIR0000"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def plan(local: LocalBot, user: str, text: str) -> str:
    (answer,) = local.emulator.slash(user, "/plan", text).wait_for_response()
    return answer.text


def test_seventy_working_days_from_12_march_2019_cross_easter_and_both_may_holidays(
    local: LocalBot, board: Seeded
) -> None:
    typed = '"Written statement of action to Ofsted" 70 working days from 12/03/2019'
    added = plan(local, ADMIN, f"deadline add {typed} owner <@{JANE}>")
    assert "Added a deadline on Improvement Board" in added
    assert "due Monday 24 June 2019" in added
    assert "26 working days left" in added  # 17 May … 24 June, less the late-May holiday
    assert "owner Jane" in added

    # the named clock has the same title: adding it again is refused, changing it keeps its owner
    again = plan(local, ADMIN, "deadline add statement of action from 12/03/2019")
    assert "is already a deadline, due 24 June 2019" in again
    assert '/plan deadline change "Written statement of action to Ofsted" due' in again
    again = plan(local, ADMIN, "deadline change statement of action from 12/03/2019")
    assert "Changed a deadline" in again and "due Monday 24 June 2019" in again
    listed = plan(local, JANE, "deadlines")
    assert listed.count("due Monday 24 June 2019") == 1 and "owner Jane Doe" in listed

    board_view = local.emulator.slash(CHAIR, "/board", "deadlines")
    text = board_view.text or board_view.wait_for_response()[0].text
    assert "Written statement of action to Ofsted: 26 working days left" in text


def test_a_passed_deadline_is_red_and_only_admins_change_them(
    local: LocalBot, board: Seeded
) -> None:
    plan(local, ADMIN, 'deadline add "Scrutiny papers" due 10/05/2019')
    listed = plan(local, CHAIR, "deadlines")
    assert (
        ":red_circle: Scrutiny papers: 4 working days overdue, was due Friday 10 May 2019" in listed
    )
    assert "admin" in plan(local, JANE, 'deadline add "Mine" due 10/06/2019').lower()
    assert "Removed “Scrutiny papers”" in plan(local, ADMIN, 'deadline remove "scrutiny papers"')
    assert "No deadlines yet" in plan(local, ADMIN, "deadlines")


def test_the_digest_counts_down_and_plan_json_carries_deadlines(
    local: LocalBot, board: Seeded
) -> None:
    plan(local, ADMIN, "deadline add statement of action from 12/03/2019")
    line = "Written statement of action to Ofsted: 26 working days left, due Monday 24 June 2019"
    (digest,) = ask(local, CHAIR, "digest")
    assert f":large_green_circle: {line}" in digest.all_text()
    (pack, *_) = ask(local, CHAIR, "pack", count=None)
    assert line in pack.all_text()

    with local.services.uow() as uow:
        from bot.services.snapshot import plan_snapshots

        (snapshot,) = plan_snapshots(uow, board.workspace_id)
    assert snapshot["deadlines"] == [
        {
            "title": "Written statement of action to Ofsted",
            "due": "2019-06-24",
            "start": "2019-03-12",
            "working_days": 70,
            "owner": None,
        }
    ]


def deadline_dms(local: LocalBot, user: str) -> list[str]:
    channel = local.emulator.dm_channel(user)
    return [
        m.text
        for m in local.emulator.messages(channel=channel, include_ephemeral=False)
        if m.from_bot and "*Deadline*" in m.text
    ]


def test_reminders_go_to_the_owner_the_admins_and_the_chair_at_20_10_5_and_0_days(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    plan(local, ADMIN, f"deadline add statement of action from 12/03/2019 owner <@{JANE}>")
    # Thursday 23 May: 21 working days left, no reminder
    clock.set(dt.datetime(2019, 5, 23, 8, 0, tzinfo=dt.UTC))
    local.run_jobs()
    assert deadline_dms(local, JANE) == []
    # Friday 24 May: 20 left (Monday 27 May is a bank holiday)
    clock.set(dt.datetime(2019, 5, 24, 8, 0, tzinfo=dt.UTC))
    local.run_jobs()
    local.run_jobs()  # planned once, however often the jobs run
    for user in (JANE, ADMIN, CHAIR):
        (text,) = local.emulator.wait_for(lambda u=user: deadline_dms(local, u), what="a DM")
        assert (
            "Written statement of action to Ofsted: 20 working days left, "
            "due Monday 24 June 2019" in text
        )
    # the due day: 0 left
    clock.set(dt.datetime(2019, 6, 24, 8, 0, tzinfo=dt.UTC))
    local.run_jobs()
    found = local.emulator.wait_for(
        lambda: len(deadline_dms(local, CHAIR)) == 2 and deadline_dms(local, CHAIR), what="2 DMs"
    )
    assert "due today, Monday 24 June 2019" in found[1]


def test_a_title_set_again_is_refused_and_change_moves_it(local: LocalBot, board: Seeded) -> None:
    """Adding a deadline whose title is there already never moves it silently; `change` does,
    and a date alone after the title is its due date."""
    added = plan(local, ADMIN, 'deadline add "Scrutiny papers" 31/5/19')
    assert "Added a deadline" in added and "due Friday 31 May 2019" in added
    refused = plan(local, ADMIN, 'deadline add "scrutiny papers" due 28/06/2019')
    assert refused.startswith(":warning:")
    assert "“Scrutiny papers” is already a deadline, due 31 May 2019" in refused
    assert '/plan deadline remove "Scrutiny papers"' in refused
    assert plan(local, CHAIR, "deadlines").count("due Friday 31 May 2019") == 1
    changed = plan(local, ADMIN, 'deadline change "Scrutiny papers" due 28/06/2019')
    assert "Changed a deadline" in changed and "due Friday 28 June 2019" in changed
    missing = plan(local, ADMIN, 'deadline change "Annual conversation" due 28/06/2019')
    assert "has no deadline called “Annual conversation” to change" in missing


def test_a_due_date_long_past_is_refused(local: LocalBot, board: Seeded) -> None:
    """The clock stands at 16 May 2019: a due date in May 2018 or before is a typing slip."""
    refused = plan(local, ADMIN, 'deadline add "Scrutiny papers" due 10/05/2018')
    assert refused.startswith(":warning:")
    assert "over a year ago" in refused and "10 May 2018" in refused
    clock = plan(local, ADMIN, "deadline add statement of action from 12/03/2017")
    assert "over a year ago" in clock
    assert "No deadlines yet" in plan(local, ADMIN, "deadlines")
    # within the year it is kept, shown overdue and red
    assert "Added a deadline" in plan(local, ADMIN, 'deadline add "Scrutiny papers" 17/05/2018')


def test_a_due_date_before_the_plan_was_published_is_refused(
    local: LocalBot, board: Seeded
) -> None:
    from sqlalchemy import select

    from db.models import Plan

    with local.services.uow() as uow:
        uow.session.scalars(select(Plan)).one().published_on = dt.date(2019, 3, 12)
        uow.commit()
    refused = plan(local, ADMIN, 'deadline add "Scrutiny papers" due 01/03/2019')
    assert refused.startswith(":warning:") and "before “" in refused
    assert "was published (12 March 2019)" in refused
    assert "Added" in plan(local, ADMIN, 'deadline add "Scrutiny papers" due 12/03/2019')
