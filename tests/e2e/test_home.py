"""The App Home tab: my open actions with their buttons, and my boards' status by theme."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.render import ids
from bot.sandbox import View
from bot.sandbox.blocks import ActionRef
from bot.sandbox.local import LocalBot
from bot.services.plans import Actor, add_action, find_plan
from db.models import Absence, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, CHAIR, MO = "UJANE00000", "UCHAIR0000", "UMEMBER000"
NOW = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def open_home(local: LocalBot, user: str) -> View:
    before = local.emulator.home_view(user)
    previous = before.hash if before is not None else None
    local.emulator.open_home(user)
    return wait_for_home(local, user, previous)


def wait_for_home(local: LocalBot, user: str, previous_hash: str | None) -> View:
    return local.emulator.wait_for(
        lambda: (v := local.emulator.home_view(user)) is not None and v.hash != previous_hash and v,
        what=f"{user}'s Home tab",
    )


def button(view: View, action_id: str, value: int) -> ActionRef:
    (found,) = [a for a in view.actions() if a.action_id == action_id and a.value == str(value)]
    return found


def test_home_shows_my_actions_and_my_boards_status(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped")

    home = open_home(local, JANE)

    text = home.all_text()
    assert home.type == "home"
    assert "*4.1* Seek foster carers' views" in text
    assert ":large_orange_circle: At risk · due 31 May 2019" in text
    assert "Last update (16 May 2019): survey slipped" in text
    assert "*5.1* Audit supervision records" in text
    assert "*4.2*" not in text.split("status by theme")[0]  # Omar's action isn't in my list
    assert "Improvement Board: status by theme" in text
    assert (
        "*4* Placement stability — :white_circle: Not started 1 · :large_orange_circle: At risk 1"
        in text
    )
    assert ":warning: 1 overdue" in text  # 4.2 was due 30 April
    assert "*5* Quality of social work practice — :white_circle: Not started 1" in text
    for ref in ("4.1", "5.1"):
        for action_id in (ids.UPDATE_ACTION, ids.COMPLETE_ACTION, ids.ASK_NEW_DATE):
            button(home, action_id, board.actions[ref])


def test_a_chair_sees_the_board_but_no_actions(local: LocalBot, board: Seeded) -> None:
    home = open_home(local, CHAIR)

    text = home.all_text()
    assert "You have no open actions" in text
    assert "Improvement Board: status by theme" in text
    assert "3 actions · :white_circle: Not started 3 · 0% complete" in text


def test_someone_on_no_board_sees_only_their_empty_list(local: LocalBot) -> None:
    home = open_home(local, MO)  # nothing seeded: Mo is on no board

    assert "You have no open actions" in home.all_text()
    assert "status by theme" not in home.all_text()


def test_mark_complete_on_home_redraws_it(local: LocalBot, board: Seeded) -> None:
    home = open_home(local, JANE)

    local.emulator.click(JANE, home, button(home, ids.COMPLETE_ACTION, board.actions["4.1"]))
    redrawn = wait_for_home(local, JANE, home.hash)

    text = redrawn.all_text()
    assert "Recorded an update on *4.1*" in text and "Complete (was Not started)" in text
    assert [a.value for a in redrawn.actions() if a.action_id == ids.UPDATE_ACTION] == [
        str(board.actions["5.1"])
    ]
    with local.services.uow() as uow:
        assert uow.session.scalar(select(ProgressUpdate.source)) == "button"


def test_update_from_home_opens_the_modal_and_redraws_home(local: LocalBot, board: Seeded) -> None:
    home = open_home(local, JANE)

    local.emulator.click(JANE, home, button(home, ids.UPDATE_ACTION, board.actions["5.1"]))
    local.emulator.wait_for(lambda: local.emulator.open_view(JANE), what="the update modal")
    local.emulator.submit_view(JANE, values={"status": "red", "note": "auditor off sick"})
    redrawn = wait_for_home(local, JANE, home.hash)

    assert ":red_circle: Off track" in redrawn.all_text()
    assert "auditor off sick" in redrawn.all_text()


def test_home_stays_within_slacks_100_blocks(local: LocalBot, board: Seeded) -> None:
    with local.services.uow() as uow:
        admin = Actor(board.workspace_id, board.people["ada"])
        plan = find_plan(uow, board.workspace_id, None)
        for n in range(2, 80):
            add_action(
                uow,
                admin,
                plan,
                f"5.{n}",
                f"Audit team {n}",
                NOW,
                due=dt.date(2019, 7, 1) + dt.timedelta(days=n),
                owner_ids=[board.people["jane"]],
            )
        uow.commit()
    mine = 80  # 4.1, 5.1 and the 78 just added

    home = open_home(local, JANE)

    assert len(home.blocks) <= 100
    shown = [a for a in home.actions() if a.action_id == ids.UPDATE_ACTION]
    assert len(shown) >= 40
    assert f"…and {mine - len(shown)} more:" in home.all_text()
    assert "Improvement Board: status by theme" in home.all_text()


def test_im_away_from_home_sets_the_absence_and_home_shows_it_with_cancel(
    local: LocalBot, board: Seeded
) -> None:
    """The clock stands at Thursday 16 May 2019. From the Home tab Jane sets 22/07/2019 to
    09/08/2019 with Mo covering (the same use case as `/progress away`), sees it and who
    covers, and cancels it."""
    home = open_home(local, JANE)
    assert "Going on leave?" in home.all_text()
    local.emulator.click(JANE, home, button(home, ids.AWAY_BUTTON, 0))
    local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(JANE)) is not None and v.title == "I'm away" and v,
        what="the absence form",
    )
    local.emulator.submit_view(
        JANE,
        values={"away_from": "2019-07-22", "away_to": "2019-08-09", "away_deputy": MO},
    )
    saved = local.emulator.wait_for(
        lambda: (
            (v := local.emulator.open_view(JANE)) is not None and v.title == "Absence saved" and v
        ),
        what="the saved absence",
    )
    assert "You're away from 22 July 2019 to 9 August 2019 (15 working days)" in saved.all_text()
    assert "Mo Member covers" in saved.all_text()
    redrawn = wait_for_home(local, JANE, home.hash)
    text = redrawn.all_text()
    assert "You'll be away from 22 July 2019 to 9 August 2019. Mo Member covers" in text
    with local.services.uow() as uow:
        (row,) = uow.session.scalars(select(Absence)).all()
        assert (row.start, row.end, row.deputy_id) == (
            dt.date(2019, 7, 22),
            dt.date(2019, 8, 9),
            board.people["mo"],
        )
        absence_id = row.id

    local.emulator.click(JANE, redrawn, button(redrawn, ids.CANCEL_ABSENCE, absence_id))
    after = wait_for_home(local, JANE, redrawn.hash)
    assert "Cancelled the absence 22 July 2019 to 9 August 2019" in after.all_text()
    assert "Going on leave?" in after.all_text()
    with local.services.uow() as uow:
        assert uow.session.scalars(select(Absence)).all() == []


def test_the_absence_form_refuses_a_last_day_before_the_first(
    local: LocalBot, board: Seeded
) -> None:
    home = open_home(local, JANE)
    local.emulator.click(JANE, home, button(home, ids.AWAY_BUTTON, 0))
    local.emulator.wait_for(lambda: local.emulator.open_view(JANE), what="the absence form")
    result = local.emulator.submit_view(
        JANE, values={"away_from": "2019-08-09", "away_to": "2019-07-22"}
    )
    assert "before it starts" in result.errors["away_from"]
    with local.services.uow() as uow:
        assert uow.session.scalars(select(Absence)).all() == []


def test_an_absence_under_way_shows_on_home_with_im_back(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "away 16/05/2019 to 17/05/2019")
    home = open_home(local, JANE)
    assert (
        "You're away from 16 May 2019 to 17 May 2019. No deputy: no reminders go to anyone"
        in home.all_text()
    )
    (back,) = [a for a in home.actions() if a.action_id == ids.CANCEL_ABSENCE]
    local.emulator.click(JANE, home, back)
    after = wait_for_home(local, JANE, home.hash)
    assert "Welcome back" in after.all_text() and "Going on leave?" in after.all_text()
