"""Messages that cannot reach their person as things stand: `reminders preview` says so, and
an escalation nobody chairs or leads goes to the board's admins and channel instead of
disappearing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.sandbox.local import LocalBot
from bot.services.outbox import preview
from db.models import Action, Board, Notification, Person, Theme
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

NINE_BST = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Thursday 16 May 2019, 09:00 BST
TEN_WORKING_DAYS_AGO = dt.date(2019, 5, 1)  # 6 May was a bank holiday


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def nobody_chairs_or_leads(local: LocalBot, board: Seeded) -> None:
    """No chair, no theme leads, and 4.2 exactly ten working days overdue."""
    with local.services.uow() as uow:
        row = uow.session.get(Board, board.board_id)
        assert row is not None
        row.chair_id = None
        for theme in uow.session.scalars(select(Theme)):
            theme.lead_id = None
        action = uow.session.get(Action, board.actions["4.2"])
        assert action is not None
        action.due_date = TEN_WORKING_DAYS_AGO
        uow.commit()


def test_preview_marks_a_reminder_to_an_unlinked_person(local: LocalBot, board: Seeded) -> None:
    with local.services.uow() as uow:
        jane = uow.session.get(Person, board.people["jane"])
        assert jane is not None
        jane.slack_user_id = None
        uow.commit()
        messages = preview(uow, NINE_BST)

    [to_jane] = [m for m in messages if m["to"] == "Jane Doe"]
    assert to_jane["deliverable"] is False
    assert "not linked to Slack" in to_jane["why"]


def test_an_escalation_with_no_chair_or_lead_goes_to_admins_and_the_channel(
    local: LocalBot, board: Seeded
) -> None:
    nobody_chairs_or_leads(local, board)

    with local.services.uow() as uow:
        escalations = [m for m in preview(uow, NINE_BST) if m["kind"] == "escalation"]
    assert {m["to"] for m in escalations} == {"UADMIN0000", "CBOARD0000"}
    for message in escalations:
        assert message["items"][0]["action"] == "4.2"
        assert "no chair or theme lead" in message["note"]

    local.run_jobs(NINE_BST)

    sent = {n.recipient: n.state for n in _ledger(local) if n.kind == "escalation"}
    assert sent == {"UADMIN0000": "sent", "CBOARD0000": "sent"}
    in_channel = [m for m in local.emulator.messages(channel="CBOARD0000") if m.from_bot]
    assert any(
        "4.2" in m.all_text() and "no chair or theme lead" in m.all_text() for m in in_channel
    )


def _ledger(local: LocalBot) -> list[Notification]:
    with local.services.uow() as uow:
        rows = list(uow.session.scalars(select(Notification).order_by(Notification.id)))
        uow.session.expunge_all()
        return rows


def test_the_cli_preview_notes_what_cannot_be_delivered(local: LocalBot, board: Seeded) -> None:
    from io import StringIO

    from bot.cli import run_cli

    nobody_chairs_or_leads(local, board)
    with local.services.uow() as uow:
        omar = uow.session.get(Person, board.people["omar"])
        assert omar is not None
        omar.slack_user_id = None
        uow.commit()
    out, err = StringIO(), StringIO()

    code = run_cli(
        ["reminders", "preview", "--at", "2019-05-16T09:00"],
        stdout=out,
        stderr=err,
        environ={"DATABASE_URL": local.database_url},
        now=NINE_BST,
    )

    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "not deliverable: Omar" in text
    assert "no chair or theme lead" in text
