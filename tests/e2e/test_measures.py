"""Updates against the measures, end to end: the update form (opened by `/progress <ref>`, a
button or a reminder) and the reminder DMs show the action's own measures, trimmed, with
"Show all" for the rest, and ask what evidence there is against them.

The clock stands at Thursday 16 May 2019, 09:00 BST: 4.1 (Jane's) is due in 10 working days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.clock import ManualClock
from bot.render import ids
from bot.render.reminders import EVIDENCE_ASKED
from bot.sandbox import Message, View
from bot.sandbox.local import LocalBot
from db.models import Action
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE = "UJANE00000"
REMINDER_DAY = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # 09:00 BST
LONG = (
    "Carers' survey: at least 30 of 40 foster carers respond by 31 May 2019.\n"
    "Placement moves per child fall quarter on quarter; "
    + "exit interviews with every carer who leaves; " * 8
    + "END OF MEASURES"
)
SHORT = "Supervision audit: 40 records a quarter, 90% on time"


@pytest.fixture
def board(local: LocalBot, clock: ManualClock) -> Seeded:
    clock.set(REMINDER_DAY)
    seeded = seed_board(local)
    with local.services.uow() as uow:
        uow.session.get(Action, seeded.actions["4.1"]).measures = LONG  # type: ignore[union-attr]
        uow.session.get(Action, seeded.actions["5.1"]).measures = SHORT  # type: ignore[union-attr]
        uow.commit()
    return seeded


def modal(local: LocalBot, title: str) -> View:
    """The modal on top of Jane's screen once it has this title."""
    found = local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(JANE)) is not None and v.title == title and v,
        what=f"the {title!r} modal",
    )
    assert isinstance(found, View)
    return found


def test_progress_with_a_ref_shows_the_measures_trimmed_and_all_of_them_on_request(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(JANE, "/progress", "4.1")
    form = modal(local, "Update an action")

    text = form.all_text()
    assert "_Measured by:_ Carers' survey: at least 30 of 40 foster carers respond" in text
    assert "END OF MEASURES" not in text and "…" in text
    assert "Evidence against the measures" in text
    (evidence,) = [b for b, _ in form.inputs() if b["block_id"] == "evidence"]
    assert evidence["hint"]["text"] == "What evidence is there against 4.1's measures, above?"

    (show_all,) = [a for a in form.actions() if a.action_id == ids.SHOW_MEASURES]
    assert show_all.value == str(board.actions["4.1"])
    local.emulator.click(JANE, form, show_all)
    full = modal(local, "Measures of 4.1")
    assert "END OF MEASURES" in full.all_text()
    assert "at least 30 of 40 foster carers respond by 31 May 2019.\nPlacement moves" in (
        full.all_text()
    )
    assert len(local.emulator.modal_stack(JANE)) == 2  # the form is still under it


def test_short_measures_are_shown_whole_without_show_all(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "5.1")
    form = modal(local, "Update an action")
    assert f"_Measured by:_ {SHORT}" in form.all_text()
    assert not [a for a in form.actions() if a.action_id == ids.SHOW_MEASURES]


def reminder(local: LocalBot) -> Message:
    report = local.run_jobs()
    assert report.sent >= 1, report
    return local.emulator.wait_for_message(
        channel=local.emulator.dm_channel(JANE), from_bot=True, include_ephemeral=False
    )


def test_a_reminder_shows_the_measures_and_asks_for_evidence_against_them(
    local: LocalBot, board: Seeded
) -> None:
    dm = reminder(local)

    text = dm.all_text()
    assert "*4.1* Seek foster carers' views" in text
    assert "_Measured by:_ Carers' survey: at least 30 of 40" in text
    assert "END OF MEASURES" not in text
    assert EVIDENCE_ASKED in text

    (show_all,) = [a for a in dm.actions() if a.action_id == ids.SHOW_MEASURES]
    (answer,) = local.emulator.click(JANE, dm, show_all).wait_for_response()
    assert answer.ephemeral_to == JANE
    assert "*4.1* Seek foster carers' views" in answer.all_text()
    assert "END OF MEASURES" in answer.all_text()


def test_the_bare_form_shows_the_chosen_actions_measures(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "")
    form = modal(local, "Update an action")
    assert "Measured by" not in form.all_text()
    assert "Choose an action and its measures show here." in form.all_text()

    (choice,) = [a for a in form.actions() if a.action_id == "action"]
    local.emulator.click(JANE, form, choice, str(board.actions["4.1"]))
    redrawn = local.emulator.wait_for(
        lambda: (
            (v := local.emulator.open_view(JANE)) is not None
            and "Measured by" in v.all_text()
            and v
        ),
        what="the form redrawn with 4.1's measures",
    )
    text = redrawn.all_text()
    assert "_Measured by:_ Carers' survey: at least 30 of 40 foster carers respond" in text
    assert "END OF MEASURES" not in text
    assert [a.value for a in redrawn.actions() if a.action_id == ids.SHOW_MEASURES] == [
        str(board.actions["4.1"])
    ]
    assert "Evidence against the measures" in text

    saved = local.emulator.submit_view(JANE, values={"note": "forum booked"})
    assert saved.errors == {}
    assert saved.view is not None and "Recorded an update on *4.1*" in saved.view.all_text()
