"""Date changes end to end: the owner asks, the chair gets a DM with Approve / Decline, the
decision changes the due date (keeping the original) and the owner is told."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from db.models import (
    Action,
    Board,
    DateChangeRequest,
    Notification,
    ProgressUpdate,
    RoleGrant,
)
from handlers.date_changes import announce_decision, announce_request
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, CHAIR, ADMIN = "UJANE00000", "UCHAIR0000", "UADMIN0000"
ASK = "4.1 date 31/07/2019 carers' survey moved to July"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def bot_dms(local: LocalBot, user: str) -> list[Message]:
    return local.emulator.messages(
        channel=local.emulator.dm_channel(user), from_bot=True, include_ephemeral=False
    )


def wait_for_dms(local: LocalBot, user: str, n: int = 1) -> list[Message]:
    """The DMs to `user`, once there are `n` and the ledger has recorded them as sent (so the
    bot is done writing before the test acts again)."""
    found = local.emulator.wait_for(
        lambda: (found := bot_dms(local, user)) and len(found) >= n and found,
        what=f"{n} DM(s) to {user}",
    )
    local.emulator.wait_for(lambda: not sending(local), what="the ledger to record the DMs")
    return found


def sending(local: LocalBot) -> int:
    with local.services.uow() as uow:
        return int(
            uow.session.scalar(select(func.count()).where(Notification.state == "sending")) or 0
        )


def wait_until_decided(local: LocalBot, message: Message) -> Message:
    """The chair's message once it has been updated to show the decision."""
    return local.emulator.wait_for(
        lambda: next(
            (m for m in bot_dms(local, CHAIR) if m.ts == message.ts and m.edited and m), None
        ),
        what="the chair's message to show the decision",
    )


def request_row(local: LocalBot) -> DateChangeRequest:
    with local.services.uow() as uow:
        request = uow.session.scalars(
            select(DateChangeRequest).order_by(DateChangeRequest.id.desc())
        ).first()
        assert request is not None
        uow.session.expunge(request)
        return request


def due_dates(local: LocalBot, action_id: int) -> tuple[dt.date | None, dt.date | None]:
    with local.services.uow() as uow:
        action = uow.session.get(Action, action_id)
        assert action is not None
        return action.due_date, action.original_due_date


def test_owner_asks_and_the_chair_approves(local: LocalBot, board: Seeded) -> None:
    asked = local.emulator.slash(JANE, "/progress", ASK)
    assert asked.text == (
        ":hourglass_flowing_sand: I've asked Chris Chair to move *4.1* from 31 May 2019 to "
        "*31 July 2019*. I'll tell you when they decide."
    )
    (to_chair,) = wait_for_dms(local, CHAIR)
    request = request_row(local)
    assert request.state == "pending" and request.reason == "carers' survey moved to July"
    text = to_chair.all_text()
    assert "*Jane Doe* asks to move the due date of *4.1* Seek foster carers' views" in text
    assert "31 May 2019 → *31 July 2019*" in text and ">carers' survey moved to July" in text
    approve = to_chair.action(ids.APPROVE_DATE_CHANGE)
    assert approve.value == to_chair.action(ids.DECLINE_DATE_CHANGE).value == str(request.id)

    local.emulator.click(CHAIR, to_chair, approve)

    (told,) = wait_for_dms(local, JANE)
    assert told.text == (
        ":white_check_mark: Chris Chair approved your new date for *4.1* Seek foster carers' "
        "views. It's now due *31 July 2019* (originally 31 May 2019)."
    )
    assert due_dates(local, board.actions["4.1"]) == (dt.date(2019, 7, 31), dt.date(2019, 5, 31))
    decided = request_row(local)
    assert decided.state == "approved" and decided.decided_by_id == board.people["chris"]
    updated = wait_until_decided(local, to_chair)
    assert updated.actions() == []
    assert "Approved by Chris Chair on 16 May 2019" in updated.all_text()


def test_the_chair_declines(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", ASK)
    (to_chair,) = wait_for_dms(local, CHAIR)

    local.emulator.click(CHAIR, to_chair, ids.DECLINE_DATE_CHANGE)

    (told,) = wait_for_dms(local, JANE)
    assert told.text.startswith(":x: Chris Chair declined your request to move *4.1*")
    assert "It stays due *31 May 2019*." in told.text
    assert due_dates(local, board.actions["4.1"]) == (dt.date(2019, 5, 31), dt.date(2019, 5, 31))
    assert request_row(local).state == "declined"
    assert "Declined by Chris Chair" in wait_until_decided(local, to_chair).all_text()


def test_only_the_chair_can_decide(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", ASK)
    (to_chair,) = wait_for_dms(local, CHAIR)

    result = local.emulator.click(JANE, to_chair, ids.APPROVE_DATE_CHANGE)

    (refusal,) = result.wait_for_response()
    assert refusal.ephemeral_to == JANE
    assert refusal.text == (
        ":warning: Only the board's chair can approve or decline a date change."
    )
    assert request_row(local).state == "pending"
    assert due_dates(local, board.actions["4.1"])[0] == dt.date(2019, 5, 31)
    assert bot_dms(local, JANE) == []


def test_announcing_twice_sends_nothing_twice(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", ASK)
    (to_chair,) = wait_for_dms(local, CHAIR)
    local.emulator.click(CHAIR, to_chair, ids.APPROVE_DATE_CHANGE)
    wait_for_dms(local, JANE)
    request_id = request_row(local).id

    announce_request(local.services, local.slack.client, request_id)
    announce_decision(local.services, local.slack.client, request_id)

    assert len(bot_dms(local, CHAIR)) == 1
    assert len(bot_dms(local, JANE)) == 1


def test_a_newer_request_replaces_the_older_one(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", ASK)
    (first,) = wait_for_dms(local, CHAIR)

    local.emulator.slash(JANE, "/progress", "4.1 date 31/08/2019 and the summer break")
    _, second = wait_for_dms(local, CHAIR, 2)

    replaced = wait_until_decided(local, first)
    assert "Replaced by a newer request" in replaced.all_text()
    assert replaced.actions() == []
    assert "*31 August 2019*" in second.all_text()
    assert second.action(ids.APPROVE_DATE_CHANGE).value == str(request_row(local).id)


def test_a_board_without_a_chair_asks_its_admins(local: LocalBot, board: Seeded) -> None:
    with local.services.uow() as uow:
        found = uow.session.get(Board, board.board_id)
        assert found is not None
        found.chair_id = None
        uow.session.execute(delete(RoleGrant).where(RoleGrant.role == "chair"))
        uow.commit()

    asked = local.emulator.slash(JANE, "/progress", ASK)
    assert "I've asked Ada Admin" in asked.text
    (to_admin,) = wait_for_dms(local, ADMIN)
    local.emulator.click(ADMIN, to_admin, ids.APPROVE_DATE_CHANGE)

    (told,) = wait_for_dms(local, JANE)
    assert "Ada Admin approved" in told.text
    assert due_dates(local, board.actions["4.1"])[0] == dt.date(2019, 7, 31)


def test_ask_for_new_date_from_a_reminder_dm(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    clock.set(dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC))
    local.run_jobs()
    (reminder,) = wait_for_dms(local, JANE)

    local.emulator.click(JANE, reminder, ids.ASK_NEW_DATE)
    local.emulator.wait_for(lambda: local.emulator.open_view(JANE), what="the new-date modal")
    sent = local.emulator.submit_view(
        JANE, values={"new_date": dt.date(2019, 6, 28), "reason": "survey moved to June"}
    )

    assert sent.view is not None and "I've asked Chris Chair" in sent.view.all_text()
    (to_chair,) = wait_for_dms(local, CHAIR)
    assert "31 May 2019 → *28 June 2019*" in to_chair.all_text()
    assert request_row(local).new_due_date == dt.date(2019, 6, 28)
    with local.services.uow() as uow:
        recorded = uow.session.scalars(
            select(ProgressUpdate).where(ProgressUpdate.new_due_date.is_not(None))
        ).one()
        assert (recorded.source, recorded.due_change_reason) == ("modal", "survey moved to June")


def test_asking_again_for_the_same_date_asks_the_chair_once(local: LocalBot, board: Seeded) -> None:
    """Jane isn't sure her request went, so she types it again, worded a little differently:
    the chair must not get two requests for the same new date."""
    local.emulator.slash(JANE, "/progress", "4.1 date 31/07/2019 because the survey slipped")
    (to_chair,) = wait_for_dms(local, CHAIR)

    again = local.emulator.slash(
        JANE, "/progress", "4.1 date 31 July 2019 because the survey slipped"
    )

    assert "You've already asked to move 4.1 to 31 July 2019" in again.text
    assert len(bot_dms(local, CHAIR)) == 1
    assert not to_chair.edited and to_chair.actions()
    with local.services.uow() as uow:
        states = uow.session.scalars(select(DateChangeRequest.state)).all()
    assert states == ["pending"]
