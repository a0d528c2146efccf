"""Impact judged apart from delivery, end to end: `/progress … impact …`, the update modal's
impact field, Complete asking for evidence, and the digest and pack counting the two apart.

The clock stands at Thursday 16 May 2019, 08:00 BST; the seeded board meets on the second
Tuesday of the month (14 May, 11 June …).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from db.models import ProgressUpdate
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, OMAR, CHRIS = "UJANE00000", "UOMAR00000", "UCHAIR0000"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def impacts(local: LocalBot, action_id: int) -> list[tuple[str | None, str | None, str | None]]:
    """(status, impact, evidence) of each update, oldest first."""
    with local.services.uow() as uow:
        rows = uow.session.execute(
            select(ProgressUpdate.status, ProgressUpdate.impact, ProgressUpdate.evidence)
            .where(ProgressUpdate.action_id == action_id)
            .order_by(ProgressUpdate.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def board_answer(local: LocalBot, user: str, text: str) -> str:
    """Everything the bot shows `user` in answer to `/board text`."""
    emulator = local.emulator
    before = max((float(m.ts) for m in emulator.messages()), default=0.0)
    result = emulator.slash(user, "/board", text)
    assert result.ok, result.body
    result.wait_for_response(1)

    def shown() -> list[Message]:
        return [m for m in emulator.messages(since=before) if m.ephemeral_to == user]

    local.settle()
    return "\n".join(m.all_text() for m in shown())


def test_an_update_carries_an_impact_judgement_and_evidence(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(
        JANE, "/progress", '4.1 green impact emerging evidence "12 of 40 carers surveyed"'
    )

    assert "On track (was Not started)" in result.text
    assert "Impact: emerging" in result.text
    assert "12 of 40 carers surveyed" in result.text
    assert impacts(local, board.actions["4.1"]) == [
        ("green", "emerging", "12 of 40 carers surveyed")
    ]


def test_the_quoted_text_after_the_judgement_is_the_note(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(
        JANE, "/progress", '4.1 green impact emerging "carers say reviews feel more personal"'
    )

    assert "Impact: emerging" in result.text
    assert ">carers say reviews feel more personal" in result.text
    assert impacts(local, board.actions["4.1"]) == [("green", "emerging", None)]


def test_an_impact_alone_is_an_update_that_keeps_the_status(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "4.1 impact not yet")

    assert "Not started (unchanged)" in result.text
    assert "Impact: not yet evidenced" in result.text
    assert impacts(local, board.actions["4.1"]) == [("not_started", "not_yet_evidenced", None)]


def test_an_unknown_impact_is_refused_and_records_nothing(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "4.1 green impact emergin")

    assert result.text.startswith(":warning: ")
    assert impacts(local, board.actions["4.1"]) == []


def test_complete_without_evidence_asks_for_it_and_the_pack_shows_it_owed(
    local: LocalBot, board: Seeded
) -> None:
    done = local.emulator.slash(OMAR, "/progress", "4.2 done panel set up")

    assert "Complete (was Not started)" in done.text
    assert "what difference has it made?" in done.text
    assert "_delivered, impact not yet evidenced_" in done.text

    pack = board_answer(local, CHRIS, "pack")
    assert "*1* delivered · *0* with impact evidenced" in pack
    assert "*Delivered, impact not yet evidenced* (1)" in pack
    assert "*4.2* Review placement sufficiency" in pack
    digest = board_answer(local, CHRIS, "digest")
    assert "*1* delivered still owes evidence of impact" in digest

    evidenced = local.emulator.slash(
        OMAR, "/progress", '4.2 impact evidenced evidence "Moves down from 14 to 6 a quarter"'
    )
    assert "what difference" not in evidenced.text
    pack = board_answer(local, CHRIS, "pack")
    assert "*1* delivered · *1* with impact evidenced" in pack
    assert "Delivered, impact not yet evidenced" not in pack


def test_complete_with_evidence_asks_for_nothing_more(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(
        OMAR, "/progress", '4.2 done impact evidenced evidence "Moves down by half"'
    )

    assert "Complete (was Not started)" in result.text
    assert "what difference" not in result.text
    assert impacts(local, board.actions["4.2"]) == [("blue", "evidenced", "Moves down by half")]


def test_the_update_modal_takes_an_impact_judgement(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "5.1")
    local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(JANE)) is not None and v.title == "Update an action",
        what="the update modal",
    )
    view = local.emulator.open_view(JANE)
    assert view is not None and "Impact so far" in view.all_text()

    saved = local.emulator.submit_view(
        JANE, values={"impact": "emerging", "evidence": "Audit tracker, week 20"}
    )

    assert saved.errors == {}
    assert saved.view is not None and "Impact: emerging" in saved.view.all_text()
    assert impacts(local, board.actions["5.1"]) == [
        ("not_started", "emerging", "Audit tracker, week 20")
    ]


def test_the_complete_button_asks_for_evidence(local: LocalBot, board: Seeded) -> None:
    mine = local.emulator.slash(OMAR, "/progress", "mine")
    assert mine.ack_message is not None
    [complete] = [
        a
        for a in mine.ack_message.actions()
        if a.action_id == ids.COMPLETE_ACTION and a.value == str(board.actions["4.2"])
    ]
    clicked = local.emulator.click(OMAR, mine.ack_message, complete)
    (answer,) = clicked.wait_for_response()

    assert "Complete (was Not started)" in answer.text
    assert "what difference has it made?" in answer.text


def test_the_pack_lists_activity_without_evidence_of_impact(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    for day, note in ((20, "forum booked"), (22, "survey drafted"), (24, "survey printed")):
        clock.set(dt.datetime(2019, 5, day, 9, 0, tzinfo=dt.UTC))
        local.emulator.slash(JANE, "/progress", f"4.1 note {note}")

    pack = board_answer(local, CHRIS, "pack")
    assert "*Activity without evidence of impact* (1)" in pack
    assert "*4.1* Seek foster carers' views — Jane Doe" in pack

    # 5.1 has had two updates: too few to judge.
    local.emulator.slash(JANE, "/progress", "5.1 note audit tool agreed")
    local.emulator.slash(JANE, "/progress", "5.1 note first audits booked")
    assert "*Activity without evidence of impact* (1)" in board_answer(local, CHRIS, "pack")
    local.emulator.slash(JANE, "/progress", '4.1 impact emerging evidence "3 carers replied"')
    assert "Activity without evidence of impact" not in board_answer(local, CHRIS, "pack")


def test_board_status_history_and_home_never_show_complete_without_evidence_as_done(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(OMAR, "/progress", "4.2 done panel set up")

    status = board_answer(local, CHRIS, "")
    assert ":large_blue_circle: Delivered, impact not yet evidenced 1" in status
    assert "Complete 1" not in status
    history = board_answer(local, CHRIS, "history 4.2")
    assert ":large_blue_circle: Delivered, impact not yet evidenced · due" in history
    assert "→ :large_blue_circle: Delivered" in history
    assert "Complete" not in history.replace("% complete", "")
    theme = board_answer(local, CHRIS, "theme 4")
    assert "Delivered, impact not yet evidenced" in theme

    local.emulator.open_home(CHRIS)
    home = local.emulator.wait_for(
        lambda: (v := local.emulator.home_view(CHRIS)) is not None and v, what="the Home tab"
    )
    assert "Delivered, impact not yet evidenced 1" in home.all_text()
    assert "Complete 1" not in home.all_text()

    local.emulator.slash(OMAR, "/progress", '4.2 impact evidenced evidence "Moves halved"')
    status = board_answer(local, CHRIS, "")
    assert ":large_blue_circle: Delivered, impact evidenced 1" in status
    assert "not yet evidenced" not in status
    assert ":large_blue_circle: Delivered, impact evidenced · due" in board_answer(
        local, CHRIS, "history 4.2"
    )


def test_complete_asks_for_evidence_only_when_none_is_on_record(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(OMAR, "/progress", '4.2 green evidence "Moves down from 14 to 6"')
    done = local.emulator.slash(OMAR, "/progress", "4.2 done panel set up")
    assert "Complete (was On track)" in done.text
    assert "what difference" not in done.text

    local.emulator.slash(JANE, "/progress", "4.1 green impact emerging")  # a judgement alone
    done = local.emulator.slash(JANE, "/progress", "4.1 done")
    assert "what difference has it made?" in done.text


def test_a_status_on_a_complete_action_says_it_reopens_it(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(OMAR, "/progress", "4.2 done panel set up")

    result = local.emulator.slash(OMAR, "/progress", '4.2 green impact emerging "fewer moves"')

    assert "On track (was Complete)" in result.text
    assert "*This reopens 4.2*: it was Complete" in result.text
    assert "`/progress 4.2 done` marks it complete again" in result.text
    assert [s for s, _, _ in impacts(local, board.actions["4.2"])] == ["blue", "green"]

    kept = local.emulator.slash(OMAR, "/progress", "4.2 done")
    kept = local.emulator.slash(OMAR, "/progress", '4.2 impact evidenced evidence "halved"')
    assert "Complete (unchanged)" in kept.text
    assert "reopens" not in kept.text
