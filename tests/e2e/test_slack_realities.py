"""What real Slack does that a friendly emulator hides: slow or failing Web API calls during a
request, people with many actions, replies naming another action, deactivated people and
dead tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.sandbox.local import LocalBot
from db.models import Person, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, OMAR, CHRIS = "UJANE", "UOMAR", "UCHAIR"
NEWCOMER = "UNEWCOMER"
# Slack shows the person "operation_timeout" when the app has not acked within 3 seconds.
ACK_WELL_WITHIN = 2.0


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def add_newcomer(local: LocalBot) -> None:
    local.emulator.add_user(NEWCOMER, "nia", "Nia Newcomer", "nia@example.gov.uk", title="Head")


def person_named(local: LocalBot, slack_id: str) -> str:
    with local.services.uow() as uow:
        person = uow.session.scalar(select(Person).where(Person.slack_user_id == slack_id))
        assert person is not None
        return person.name


def updates_of(local: LocalBot, action_id: int) -> list[tuple[str | None, str | None]]:
    with local.services.uow() as uow:
        return [
            (status, note)
            for status, note in uow.session.execute(
                select(ProgressUpdate.status, ProgressUpdate.note)
                .where(ProgressUpdate.action_id == action_id)
                .order_by(ProgressUpdate.id)
            )
        ]


# ---------------------------------------------------------------- the ack never waits on Slack


def test_a_rate_limited_profile_lookup_does_not_hold_up_the_ack(
    local: LocalBot, board: Seeded
) -> None:
    add_newcomer(local)
    local.emulator.fail_next("users.info", 429, retry_after=4)

    result = local.emulator.slash(NEWCOMER, "/progress", "mine")

    assert result.status == 200
    assert result.request is not None and result.request.elapsed < ACK_WELL_WITHIN
    assert result.text.startswith("You have no open actions")


def test_failing_profile_lookups_do_not_hold_up_the_ack(local: LocalBot, board: Seeded) -> None:
    add_newcomer(local)
    local.emulator.fail_next("users.info", 500, times=2)

    result = local.emulator.slash(NEWCOMER, "/progress", "mine")

    assert result.request is not None and result.request.elapsed < ACK_WELL_WITHIN
    assert result.text.startswith("You have no open actions")


def test_a_profile_missed_once_is_filled_in_on_a_later_request(
    local: LocalBot, board: Seeded
) -> None:
    add_newcomer(local)
    local.emulator.fail_next("users.info", 500, times=2)
    local.emulator.slash(NEWCOMER, "/progress", "mine")
    assert person_named(local, NEWCOMER) == NEWCOMER  # all that was known
    local.emulator.clear_faults()

    local.emulator.slash(NEWCOMER, "/progress", "mine")

    assert person_named(local, NEWCOMER) == "Nia Newcomer"


# ---------------------------------------------------------------- the same update sent twice


def test_the_same_update_sent_again_within_ten_minutes_is_recorded_once(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    first = local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped to June")
    clock.advance(dt.timedelta(minutes=4))
    again = local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped to June")

    assert "Recorded an update" in first.text
    assert "already recorded" in again.text and "4.1" in again.text
    assert updates_of(local, board.actions["4.1"]) == [("amber", "survey slipped to June")]


def test_the_same_update_after_ten_minutes_is_a_new_update(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped to June")
    clock.advance(dt.timedelta(minutes=11))
    again = local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped to June")

    assert "Recorded an update" in again.text
    assert len(updates_of(local, board.actions["4.1"])) == 2


def test_a_different_note_within_ten_minutes_is_recorded(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped to June")
    clock.advance(dt.timedelta(minutes=1))
    local.emulator.slash(JANE, "/progress", "4.1 amber survey now booked for 4 June")

    assert len(updates_of(local, board.actions["4.1"])) == 2
