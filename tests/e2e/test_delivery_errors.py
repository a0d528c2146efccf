"""What delivery does with each kind of error Slack answers: a message Slack will never take
fails at once and admins hear once; a deactivated person is skipped; a dead token pauses the
workspace's delivery instead of telling admins anything about the people."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from bot.sandbox.local import LocalBot
from db.models import Notification
from tests.e2e.seed import seed_board

pytestmark = pytest.mark.e2e

NINE_BST = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Jane's reminder about 4.1 is due


def ledger(local: LocalBot) -> list[Notification]:
    with local.services.uow() as uow:
        rows = list(uow.session.scalars(select(Notification).order_by(Notification.id)))
        uow.session.expunge_all()
        return rows


def reminder_row(local: LocalBot) -> Notification:
    [row] = [n for n in ledger(local) if n.kind == "reminder"]
    return row


def admin_alerts(local: LocalBot) -> list[str]:
    admin_dm = local.emulator.dm_channel("UADMIN0000")
    return [
        m.all_text()
        for m in local.emulator.messages(channel=admin_dm, include_ephemeral=False)
        if m.bot_id
    ]


def posts_to(local: LocalBot, channel: str) -> int:
    return sum(
        1 for c in local.emulator.calls_to("chat.postMessage") if c.params["channel"] == channel
    )


@pytest.mark.parametrize("error", ["msg_blocks_too_long", "invalid_blocks", "restricted_action"])
def test_an_error_slack_answers_with_200_fails_at_once_and_admins_hear_once(
    local: LocalBot, error: str
) -> None:
    seed_board(local)
    local.emulator.fail_next("chat.postMessage", 200, error=error)

    local.run_jobs(NINE_BST)
    for minute in range(1, 4):
        local.run_jobs(NINE_BST + dt.timedelta(minutes=minute))

    row = reminder_row(local)
    assert (row.state, row.error, row.attempts) == ("failed", error, 1)
    assert posts_to(local, local.emulator.dm_channel("UJANE00000")) == 1  # never retried
    [alert] = admin_alerts(local)
    assert "Jane Doe" in alert and error in alert


def test_a_server_side_error_with_200_is_tried_again(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.fail_next("chat.postMessage", 200, error="internal_error")

    local.run_jobs(NINE_BST)
    local.run_jobs(NINE_BST + dt.timedelta(minutes=1))

    assert reminder_row(local).state == "sent"
    assert admin_alerts(local) == []


def test_a_deactivated_person_is_skipped_and_admins_are_told_once(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.deactivate_user("UJANE00000")

    local.run_jobs(NINE_BST)
    local.run_jobs(NINE_BST + dt.timedelta(minutes=1))

    row = reminder_row(local)
    assert (row.state, row.error) == ("failed", "user_disabled")
    [alert] = admin_alerts(local)
    assert "Jane Doe" in alert and "deactivated" in alert


@pytest.mark.parametrize("error", ["token_revoked", "account_inactive", "invalid_auth"])
def test_a_dead_token_pauses_delivery_with_one_log_line_and_no_alerts(
    local: LocalBot, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    seed_board(local)
    local.emulator.revoke_token(error)

    with caplog.at_level(logging.INFO, logger="scheduler.delivery"):
        for minute in range(0, 5):
            local.run_jobs(NINE_BST + dt.timedelta(minutes=minute))

    row = reminder_row(local)
    assert row.state == "pending"  # kept for when the app is back
    assert [n.kind for n in ledger(local)] == ["reminder"]  # no alerts about anyone
    paused = [r for r in caplog.records if "paused" in r.getMessage()]
    assert len(paused) == 1 and error in paused[0].getMessage()
    assert "deactivated" not in caplog.text
    tries = [c for c in local.emulator.calls if c.method != "apps.connections.open"]
    assert len(tries) <= 2  # paused: Slack is not asked again every minute

    local.emulator.revoke_token(None)  # reinstalled
    local.run_jobs(NINE_BST + dt.timedelta(minutes=20))

    assert reminder_row(local).state == "sent"
