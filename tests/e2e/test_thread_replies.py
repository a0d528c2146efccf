"""A reply in the thread of a reminder DM is recorded as a progress update on its action."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from db.models import Action, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, OMAR, CHAIR = "UJANE00000", "UOMAR00000", "UCHAIR0000"
ONE_ACTION_DAY = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # 09:00 BST: 4.1 due in 10 days
BATCHED_DAY = dt.datetime(2019, 6, 14, 8, 0, tzinfo=dt.UTC)  # 4.1 overdue, 5.1 due in 10 days


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def reminder_for(local: LocalBot, clock: ManualClock, at: dt.datetime, user: str) -> Message:
    clock.set(at)
    report = local.run_jobs()
    assert report.sent >= 1, report
    return local.emulator.wait_for_message(
        channel=local.emulator.dm_channel(user), from_bot=True, include_ephemeral=False
    )


def answers_in(local: LocalBot, parent: Message) -> list[Message]:
    return [
        m
        for m in local.emulator.messages(channel=parent.channel, thread_ts=parent.ts)
        if m.from_bot and m.ts != parent.ts
    ]


def wait_for_answers(local: LocalBot, parent: Message, n: int = 1) -> list[Message]:
    return local.emulator.wait_for(
        lambda: (found := answers_in(local, parent)) and len(found) >= n and found,
        what=f"{n} answer(s) in the thread",
    )


def updates(local: LocalBot) -> list[tuple[str, str | None, str | None, str]]:
    """(ref, status, note, source) of every update, oldest first."""
    with local.services.uow() as uow:
        rows = uow.session.execute(
            select(Action.ref, ProgressUpdate.status, ProgressUpdate.note, ProgressUpdate.source)
            .join(Action, Action.id == ProgressUpdate.action_id)
            .order_by(ProgressUpdate.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_reply_to_a_one_action_reminder_records_its_status(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)
    assert "(4.1)" in reminder.text

    local.emulator.reply_in_thread(JANE, reminder.channel, reminder.ts, "amber: survey slipped")

    (answer,) = wait_for_answers(local, reminder)
    assert answer.thread_ts == reminder.ts
    assert "*4.1*" in answer.text and ":large_orange_circle: At risk" in answer.text
    assert ">survey slipped" in answer.text
    assert updates(local) == [("4.1", "amber", "survey slipped", "thread")]


def test_a_reply_without_a_status_word_is_a_note(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "a carers' forum is booked &amp; advertised"
    )

    (answer,) = wait_for_answers(local, reminder)
    assert "(unchanged)" in answer.text
    assert updates(local) == [
        ("4.1", "not_started", "a carers' forum is booked & advertised", "thread")
    ]


def test_a_reply_gives_evidence_and_an_impact_judgement_as_the_reminder_asks(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "evidence: audit shows 38 of 40 plans on time"
    )
    wait_for_answers(local, reminder)
    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "impact emerging: carers say plans feel personal"
    )
    wait_for_answers(local, reminder, 2)

    with local.services.uow() as uow:
        given = uow.session.execute(
            select(ProgressUpdate.note, ProgressUpdate.evidence, ProgressUpdate.impact).order_by(
                ProgressUpdate.id
            )
        ).all()
    assert [tuple(row) for row in given] == [
        (None, "audit shows 38 of 40 plans on time", None),
        ("carers say plans feel personal", None, "emerging"),
    ]


def test_a_batched_reminder_needs_the_ref(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, BATCHED_DAY, JANE)
    assert "4.1" in reminder.text and "5.1" in reminder.text

    local.emulator.reply_in_thread(JANE, reminder.channel, reminder.ts, "amber: survey slipped")
    (which,) = wait_for_answers(local, reminder)
    assert which.text.startswith(":warning: This reminder is about 4.1 and 5.1")
    assert updates(local) == []

    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "5.1 on track - audit half done"
    )
    _, answer = wait_for_answers(local, reminder, 2)

    assert "*5.1*" in answer.text and "On track" in answer.text
    assert updates(local) == [("5.1", "green", "audit half done", "thread")]


def test_a_retried_event_records_once(
    local: LocalBot, clock: ManualClock, board: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    first = local.emulator.reply_in_thread(JANE, reminder.channel, reminder.ts, "red: blocked")
    retried = local.emulator.retry(first)  # at once, as Slack does when an ack is slow
    wait_for_answers(local, reminder)
    again = local.emulator.retry(retried)
    local.settle()  # the retries' listeners have run (and not recorded)

    assert retried.ok and again.ok
    assert again.request is not None and again.request.headers["X-Slack-Retry-Num"] == "2"
    assert updates(local) == [("4.1", "red", "blocked", "thread")]
    assert len(answers_in(local, reminder)) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_reply_from_someone_not_allowed_is_refused(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    clock.set(BATCHED_DAY)
    local.run_jobs()
    escalation = local.emulator.wait_for_message(
        lambda m: m.text.startswith("Escalation"), channel="DCHAIR0000"
    )

    local.emulator.reply_in_thread(CHAIR, escalation.channel, escalation.ts, "4.1 amber: chased")

    (answer,) = wait_for_answers(local, escalation)
    assert answer.text.startswith(":warning: Only the action's owners and delegates")
    assert updates(local) == []


def test_a_stranger_in_someone_elses_thread_is_refused(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.reply_in_thread(OMAR, reminder.channel, reminder.ts, "done")

    (answer,) = wait_for_answers(local, reminder)
    assert "Only the action's owners" in answer.text
    assert updates(local) == []


def test_a_plain_dm_gets_help(local: LocalBot, board: Seeded) -> None:
    local.emulator.send_dm(JANE, "hello, how do I update 4.1?")

    answer = local.emulator.wait_for_message(channel="DJANE00000", from_bot=True)
    assert "reply in the thread" in answer.text and "/progress" in answer.text
    assert answer.thread_ts is None
    assert updates(local) == []


def test_a_reply_in_a_thread_that_is_not_a_reminder_gets_help(
    local: LocalBot, board: Seeded
) -> None:
    dm = local.emulator.send_dm(JANE, "hello")
    assert dm.message is not None
    local.emulator.wait_for_message(channel="DJANE00000", from_bot=True)

    local.emulator.reply_in_thread(JANE, "DJANE00000", dm.message.ts, "amber: survey slipped")

    answer = local.emulator.wait_for_message(
        lambda m: m.thread_ts == dm.message.ts,
        channel="DJANE00000",
        from_bot=True,  # type: ignore[union-attr]
    )
    assert "only record replies in the thread of a reminder" in answer.text
    assert updates(local) == []


def test_edits_deletions_and_bot_messages_are_ignored(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)
    base = {"channel": reminder.channel, "channel_type": "im", "thread_ts": reminder.ts}
    events = [
        {"type": "message", "subtype": "message_changed", "ts": "1.1", **base},
        {"type": "message", "subtype": "message_deleted", "ts": "1.2", **base},
        {"type": "message", "bot_id": "B0OTHER000", "text": "done", "ts": "1.3", **base},
    ]
    for event in events:
        assert local.emulator.send_event(event).ok

    local.settle()
    assert updates(local) == []
    assert answers_in(local, reminder) == []


def test_the_reminders_update_and_complete_buttons(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.click(JANE, reminder, ids.UPDATE_ACTION)
    modal = local.emulator.wait_for(lambda: local.emulator.open_view(JANE), what="the modal")
    assert "*4.1* Seek foster carers' views" in modal.all_text()
    local.emulator.submit_view(JANE, values={"note": "carers' survey drafted"})
    completed = local.emulator.click(JANE, reminder, ids.COMPLETE_ACTION)
    (answer,) = completed.wait_for_response()

    assert answer.ephemeral_to == JANE and answer.channel == reminder.channel
    assert "Complete (was Not started)" in answer.text
    assert updates(local) == [
        ("4.1", "not_started", "carers' survey drafted", "modal"),
        ("4.1", "blue", None, "button"),
    ]


def test_a_reply_naming_another_of_my_actions_is_recorded_there(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)
    assert "(4.1)" in reminder.text  # about 4.1 only; Jane also owns 5.1

    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "5.1 green: police attending"
    )

    (answer,) = wait_for_answers(local, reminder)
    assert "*5.1*" in answer.text and "not on 4.1" in answer.text
    assert updates(local) == [("5.1", "green", "police attending", "thread")]


def test_a_reply_naming_an_action_i_may_not_update_is_refused_with_the_command(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.reply_in_thread(
        JANE, reminder.channel, reminder.ts, "4.2 green: police attending"
    )

    (answer,) = wait_for_answers(local, reminder)
    assert answer.text.startswith(":warning: ")
    assert "4.2 isn't in this reminder" in answer.text
    assert "`/progress 4.2 green: police attending`" in answer.text
    assert updates(local) == []


def test_a_reply_starting_with_a_number_that_is_no_action_is_a_note(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.reply_in_thread(JANE, reminder.channel, reminder.ts, "12.5 carers came")

    wait_for_answers(local, reminder)
    assert updates(local) == [("4.1", "not_started", "12.5 carers came", "thread")]


@pytest.mark.parametrize("text", ["help", "Help?", "?", "thanks", "Thank you!", "ok"])
def test_help_or_thanks_in_a_reminders_thread_is_answered_not_recorded(
    local: LocalBot, clock: ManualClock, board: Seeded, text: str
) -> None:
    """Jane answers her reminder with "help" (or "thanks"): the chair must never read that
    as her progress on 4.1, and she is told how to reply."""
    reminder = reminder_for(local, clock, ONE_ACTION_DAY, JANE)

    local.emulator.reply_in_thread(JANE, reminder.channel, reminder.ts, text)

    (answer,) = wait_for_answers(local, reminder)
    assert "Nothing is recorded" in answer.text
    assert "`amber: survey slipped`" in answer.text and "`done`" in answer.text
    assert updates(local) == []


def test_help_in_a_batched_reminders_thread_names_its_actions(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    reminder = reminder_for(local, clock, BATCHED_DAY, JANE)

    local.emulator.reply_in_thread(JANE, reminder.channel, reminder.ts, "help")

    (answer,) = wait_for_answers(local, reminder)
    assert "Nothing is recorded" in answer.text
    assert "4.1 and 5.1" in answer.text and "`4.1 amber: survey slipped`" in answer.text
    assert updates(local) == []


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("4.1 green - carers' forum booked", "`/progress 4.1 green - carers' forum booked`"),
        ("4.1 done", "`/progress 4.1 done`"),
    ],
)
def test_a_dm_that_reads_like_an_update_is_answered_with_the_command_to_type(
    local: LocalBot, board: Seeded, typed: str, command: str
) -> None:
    """Jane DMs the bot "4.1 green - …" as if it were a command: it isn't recorded (a DM
    isn't an update), so she is shown exactly what to type instead of general help."""
    local.emulator.send_dm(JANE, typed)

    answer = local.emulator.wait_for_message(channel="DJANE00000", from_bot=True)
    assert "Nothing is recorded" in answer.text
    assert command in answer.text
    assert updates(local) == []
