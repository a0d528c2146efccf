"""What a new owner and chair type and read in their first hour: single-letter statuses,
the board's name first, rounded percentages, the imported sheet's statuses, and a date
change that closes itself when its action is completed — through the real Bolt app and the
local Slack emulator."""

from __future__ import annotations

import pytest

from bot.sandbox.local import LocalBot
from tests.e2e.seed import Seeded, seed_board
from tests.e2e.test_date_changes import bot_dms, request_row, wait_for_dms
from tests.e2e.test_plan_import import council_sheet, dm_from_bot, open_import_form

pytestmark = pytest.mark.e2e

ADA, JANE, OMAR, CHAIR = "UADMIN0000", "UJANE00000", "UOMAR00000", "UCHAIR0000"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def say(local: LocalBot, user: str, command: str, text: str) -> str:
    """What the bot answers to a slash command: in its acknowledgement (`/progress`) or
    through the response URL (`/board`, `/plan`)."""
    result = local.emulator.slash(user, command, text)
    if command == "/progress":
        return result.all_text()
    (answer,) = result.wait_for_response(timeout=5)
    return answer.all_text()


@pytest.mark.parametrize(
    ("typed", "label"),
    [("G", "On track"), ("g", "On track"), ("A", "At risk"), ("r", "Off track")],
)
def test_a_single_letter_is_a_status(
    local: LocalBot, board: Seeded, typed: str, label: str
) -> None:
    answer = say(local, JANE, "/progress", f"4.1 {typed} 90% now")
    assert "Recorded an update on *4.1*" in answer
    assert f"{label} (was Not started)" in answer
    assert "90% now" in answer


def test_the_board_name_can_come_first(local: LocalBot, board: Seeded) -> None:
    assert "Improvement Board — digest" in say(local, CHAIR, "/board", '"Improvement Board" digest')
    assert "Placement stability" in say(local, CHAIR, "/board", 'theme "Improvement Board" 4')
    assert "double quotes" in say(local, CHAIR, "/board", "help")


def test_two_of_three_complete_is_67_percent(local: LocalBot, board: Seeded) -> None:
    say(local, JANE, "/progress", "4.1 done")
    say(local, JANE, "/progress", "5.1 done")
    status = say(local, CHAIR, "/board", "")
    assert "3 actions* · *67%* complete" in status


def test_completing_an_action_closes_its_date_change_and_the_chair_is_told(
    local: LocalBot, board: Seeded
) -> None:
    asked = say(local, JANE, "/progress", "4.1 date 31/07/2019 the survey moved to July")
    assert "I've asked Chris Chair" in asked
    (request,) = wait_for_dms(local, CHAIR)
    assert "Approve" in request.all_text()

    say(local, JANE, "/progress", "4.1 done survey published early")
    assert request_row(local).state == "closed"
    local.deliver()
    told = wait_for_dms(local, CHAIR, 2)[-1].all_text()
    assert "Jane Doe marked *4.1* Seek foster carers' views complete" in told
    assert "nothing for you to decide" in told
    assert "No date changes are waiting" in say(local, CHAIR, "/board", "approve")
    local.deliver()
    assert len(bot_dms(local, CHAIR)) == 2  # told once
    # The request he was sent no longer offers Approve / Decline: it says it closed.
    (shown,) = [m for m in bot_dms(local, CHAIR) if m.ts == request.ts]
    assert shown.edited and shown.actions() == []
    assert "Closed on 16 May 2019: the action was marked complete" in shown.all_text()


def test_statuses_from_an_import_say_they_came_from_the_sheet(local: LocalBot) -> None:
    local.emulator.slash(ADA, "/plan", "setup").wait_for_response()
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "ILACS improvement plan.xlsx", council_sheet())
    assert local.emulator.submit_view(ADA, values={"plan_file": shared}).ok
    dm_from_bot(local, ADA)

    theme = say(local, ADA, "/board", "theme 4")
    assert "from the imported sheet" in theme
    assert "by Ada" not in theme
    history = say(local, ADA, "/board", "history 4.1")
    assert "from the imported sheet" in history
    assert "Ada" not in history
