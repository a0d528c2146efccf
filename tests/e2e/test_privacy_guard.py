"""The guard against a child's or family's personal details, end to end: a flagged update is
held, not recorded; its author sees what kind was found (never the text) and can record it
anyway with one click, audited with who and when; admins tune the checks per workspace."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox.local import LocalBot
from db.models import AuditEvent, HeldNote, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board
from tests.e2e.test_progress import button, updates_of, wait_for_modal
from tests.e2e.test_thread_replies import ONE_ACTION_DAY, reminder_for, wait_for_answers

pytestmark = pytest.mark.e2e

JANE, ADA = "UJANE00000", "UADMIN0000"
FLAGGED = "amber Jo's DOB 12/03/2012 means the placement review moved"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def audits(local: LocalBot) -> list[AuditEvent]:
    with local.services.uow() as uow:
        found = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.what == "privacy.record_anyway")
        ).all()
        uow.session.expunge_all()
        return list(found)


def test_a_flagged_note_is_held_then_recorded_anyway_and_audited_without_its_text(
    local: LocalBot, board: Seeded
) -> None:
    result = local.emulator.slash(JANE, "/progress", f"4.1 {FLAGGED}")

    assert "Not recorded yet" in result.text
    assert "date of birth" in result.text
    assert "12/03/2012" not in result.all_text() and "Jo" not in result.text
    assert updates_of(local, board.actions["4.1"]) == []
    assert result.ack_message is not None
    anyway = [a for a in result.ack_message.actions() if a.action_id == ids.RECORD_ANYWAY]
    assert len(anyway) == 1 and len(anyway[0].value or "") < 2000

    (answer,) = local.emulator.click(JANE, result.ack_message, anyway[0]).wait_for_response()

    assert ":white_check_mark: Recorded an update on *4.1*" in answer.text
    assert updates_of(local, board.actions["4.1"]) == [
        ("amber", "Jo's DOB 12/03/2012 means the placement review moved", "command")
    ]
    (event,) = audits(local)
    assert event.actor_id is not None and event.at is not None
    assert event.after == {"kinds": ["date-of-birth"], "source": "command"}
    assert "12/03/2012" not in repr(event.before) + repr(event.after)
    with local.services.uow() as uow:
        assert uow.session.scalars(select(HeldNote)).all() == []

    again = local.emulator.click(JANE, result.ack_message, anyway[0]).wait_for_response()
    assert "no longer waiting" in again[0].text
    assert len(updates_of(local, board.actions["4.1"])) == 1


def test_a_clean_note_and_a_due_date_pass(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "4.1 amber survey due 31/05/2019, Q2 2019/20")
    assert ":white_check_mark: Recorded" in result.text


def test_a_flagged_thread_reply_is_held_with_the_button(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)
    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "amber: visit to the family at SW1A 1AA slipped"
    )
    (answer,) = wait_for_answers(local, reminder)
    assert "Not recorded yet" in answer.text and "postcode" in answer.text
    assert "SW1A" not in answer.text
    with local.services.uow() as uow:
        assert uow.session.scalars(select(ProgressUpdate)).all() == []
    anyway = button(answer, ids.RECORD_ANYWAY, next(iter(_held_ids(local))))
    (done,) = local.emulator.click(JANE, answer, anyway).wait_for_response()
    assert "Recorded an update on *4.1*" in done.text


def _held_ids(local: LocalBot) -> list[int]:
    with local.services.uow() as uow:
        return list(uow.session.scalars(select(HeldNote.id)))


def test_admins_tune_the_checks_per_workspace(local: LocalBot, board: Seeded) -> None:
    shown = local.emulator.slash(ADA, "/plan", "privacy")
    (answer,) = shown.wait_for_response()
    assert "`date-of-birth`" in answer.text

    denied = local.emulator.slash(JANE, "/plan", "privacy disable date-of-birth")
    assert "admin" in denied.wait_for_response()[0].text.lower()

    changed = local.emulator.slash(ADA, "/plan", "privacy disable date of birth")
    (answer,) = changed.wait_for_response()
    assert "Saved" in answer.text and "Switched off: `date-of-birth`" in answer.text

    result = local.emulator.slash(JANE, "/progress", f"4.1 {FLAGGED}")
    assert ":white_check_mark: Recorded" in result.text

    local.emulator.slash(ADA, "/plan", "privacy reset").wait_for_response()
    result = local.emulator.slash(JANE, "/progress", "4.1 note DOB 01/02/2013 again")
    assert "Not recorded yet" in result.text


def test_an_admin_switches_the_whole_check_off_and_on_audited(
    local: LocalBot, board: Seeded
) -> None:
    denied = local.emulator.slash(JANE, "/plan", "privacy off").wait_for_response()[0].text
    assert "admin" in denied.lower()
    local.emulator.slash(ADA, "/plan", "privacy disable postcode").wait_for_response()

    (off,) = local.emulator.slash(ADA, "/plan", "privacy off").wait_for_response()
    assert "The check is off" in off.text
    assert "Progress notes, challenge answers, thread replies and imported progress" in off.text
    result = local.emulator.slash(JANE, "/progress", f"4.1 {FLAGGED}")
    assert ":white_check_mark: Recorded" in result.text
    (shown,) = local.emulator.slash(ADA, "/plan", "privacy").wait_for_response()
    assert "The check is off" in shown.text

    (on,) = local.emulator.slash(ADA, "/plan", "privacy on").wait_for_response()
    assert "The check is on again" in on.text
    assert "Switched off: `postcode`" in on.text  # the patterns come back as they were
    result = local.emulator.slash(JANE, "/progress", "4.1 note DOB 01/02/2013 again")
    assert "Not recorded yet" in result.text

    with local.services.uow() as uow:
        events = uow.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.what.in_(["privacy.off", "privacy.on"]))
            .order_by(AuditEvent.id)
        ).all()
        assert [e.what for e in events] == ["privacy.off", "privacy.on"]
        assert all(e.actor_id is not None for e in events)
        assert events[0].after == {"patterns": "off\ndisable postcode"}


def test_a_flagged_note_in_the_update_form_is_held_and_recorded_from_the_form(
    local: LocalBot, board: Seeded
) -> None:
    mine = local.emulator.slash(JANE, "/progress", "mine").ack_message
    assert mine is not None
    local.emulator.click(JANE, mine, button(mine, ids.UPDATE_ACTION, board.actions["5.1"]))
    wait_for_modal(local, JANE, "Update an action")

    held = local.emulator.submit_view(
        JANE, values={"status": "amber", "note": "Jo (NHS 943 476 5919) moved"}
    )
    assert held.view is not None and "Not recorded yet" in held.view.all_text()
    assert "943" not in held.view.all_text()
    assert updates_of(local, board.actions["5.1"]) == []

    local.emulator.click(JANE, held.view, ids.RECORD_ANYWAY)
    saved = local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(JANE)) and "Update saved" in v.all_text() and v,
        what="the saved form",
    )
    assert "At risk" in saved.all_text()
    assert updates_of(local, board.actions["5.1"]) == [
        ("amber", "Jo (NHS 943 476 5919) moved", "modal")
    ]
