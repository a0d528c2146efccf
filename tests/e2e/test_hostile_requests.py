"""Hostile requests to the real bot: the same signed bytes sent again, a writer holding the
database, control characters. Nothing is lost, nothing is recorded twice, and nobody is told
"failed" about something that was recorded."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from bot.render import ids
from bot.sandbox.local import LocalBot
from db.models import Action, AuditEvent, DateChangeRequest, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board
from tests.e2e.test_date_changes import ASK, CHAIR, JANE, bot_dms, sending, wait_for_dms

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def count(local: LocalBot, *where: object, model: object = ProgressUpdate) -> int:
    with local.services.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def settle(local: LocalBot, seconds: float = 1.0) -> None:
    """Give listeners still running after their ack the time to do (or not do) their work."""
    time.sleep(seconds)
    local.emulator.wait_for(lambda: not sending(local), what="the ledger to record the DMs")


# ---------------------------------------------------------------- B8: replayed requests


def test_a_date_request_replayed_five_times_asks_the_chair_once(
    local: LocalBot, board: Seeded
) -> None:
    asked = local.emulator.slash(JANE, "/progress", ASK)
    replays = [local.emulator.replay(asked) for _ in range(4)]

    assert [r.status for r in replays] == [200] * 4
    assert {r.body for r in replays} == {asked.body}  # the same answer each time
    wait_for_dms(local, CHAIR)
    settle(local)
    requests = count(local, model=DateChangeRequest)
    assert requests == 1, f"{requests} date-change requests from one signed request"
    assert len(bot_dms(local, CHAIR)) == 1
    assert count(local, ProgressUpdate.new_due_date.is_not(None)) == 1


def test_an_approval_replayed_five_times_moves_the_date_once(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(JANE, "/progress", ASK)
    (to_chair,) = wait_for_dms(local, CHAIR)
    approved = local.emulator.click(CHAIR, to_chair, ids.APPROVE_DATE_CHANGE)
    wait_for_dms(local, JANE)
    replays = [local.emulator.replay(approved) for _ in range(4)]

    assert [r.status for r in replays] == [200] * 4
    settle(local)
    with local.services.uow() as uow:
        action = uow.session.get(Action, board.actions["4.1"])
        assert action is not None
        assert action.date_changes == 1
    assert count(local, AuditEvent.what == "date_change.approved", model=AuditEvent) == 1
    assert len(bot_dms(local, JANE)) == 1
