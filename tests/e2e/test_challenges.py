"""The chair's challenge log end to end: the chair (or a member) asks, the owners get the
question by DM and answer in its thread or with `/progress answer`, the chair closes or
reopens it, `/board challenges` lists them with their age.

The clock stands at Thursday 16 May 2019, 08:00 BST.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from bot.services.snapshot import plan_snapshots
from db.models import AuditEvent, ChallengeEvent, HeldNote
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

ADA, CHRIS, JANE, OMAR, MO = "UADMIN0000", "UCHAIR0000", "UJANE00000", "UOMAR00000", "UMEMBER000"
QUESTION = "Why has the survey slipped again?"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def board_says(local: LocalBot, user: str, text: str) -> str:
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


def dm_from_bot(local: LocalBot, user: str, containing: str) -> Message:
    channel = local.emulator.dm_channel(user)
    return local.emulator.wait_for(
        lambda: next(
            (
                m
                for m in local.emulator.messages(channel=channel, include_ephemeral=False)
                if m.from_bot and containing in m.all_text()
            ),
            None,
        ),
        what=f"a DM to {user} saying {containing!r}",
    )


def events(local: LocalBot) -> list[tuple[int, str, str | None]]:
    with local.services.uow() as uow:
        rows = uow.session.execute(
            select(ChallengeEvent.challenge_id, ChallengeEvent.kind, ChallengeEvent.text).order_by(
                ChallengeEvent.id
            )
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_whole_cycle_ask_answer_in_the_thread_close(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    asked = board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')
    assert "Challenge *C1* on *4.1* Seek foster carers' views is with its owners" in asked
    assert "sent it to 1 person by DM" in asked

    question = dm_from_bot(local, JANE, QUESTION)
    assert "Reply in this thread to answer" in question.all_text()
    assert "`/progress answer C1" in question.all_text()

    clock.set(dt.datetime(2019, 5, 20, 9, 0, tzinfo=dt.UTC))
    local.emulator.reply_in_thread(
        JANE, question.channel, question.ts, "Carers' forum moved to 3 June; survey goes out after"
    )
    local.emulator.wait_for(
        lambda: any(
            "Your answer to *C1*" in m.all_text()
            for m in local.emulator.messages(channel=question.channel, thread_ts=question.ts)
        ),
        what="the answer's confirmation in the thread",
    )
    answer = dm_from_bot(local, CHRIS, "answered challenge *C1*")
    assert "Carers' forum moved to 3 June" in answer.all_text()

    listed = board_says(local, CHRIS, "challenges")
    assert "1 open" not in listed and "0 open · 1 answered · 0 closed" in listed
    assert "*C1* *4.1* Seek foster carers' views — answered, answered today" in listed

    clock.set(dt.datetime(2019, 5, 23, 9, 0, tzinfo=dt.UTC))
    assert "answered 3 days ago" in board_says(local, CHRIS, "challenges")
    closed = board_says(local, CHRIS, "challenge close C1 answered at the board")
    assert ":white_check_mark: *C1* on *4.1* is closed." in closed
    assert "No open and answered challenges" in board_says(local, CHRIS, "challenges")
    assert "closed, closed today" in board_says(local, CHRIS, "challenges all")
    assert [kind for _, kind, _ in events(local)] == ["asked", "answered", "closed"]


def test_an_owner_answers_with_progress_answer(local: LocalBot, board: Seeded) -> None:
    board_says(local, MO, f'challenge 4.1 "{QUESTION}"')

    result = local.emulator.slash(JANE, "/progress", 'answer C1 "Forum moved to June"')

    assert "Your answer to *C1* on *4.1* is recorded" in result.text
    assert events(local)[-1] == (1, "answered", "Forum moved to June")
    dm_from_bot(local, MO, "answered challenge *C1*")


def test_an_answer_holding_a_childs_details_is_held_then_recorded_anyway_and_audited(
    local: LocalBot, board: Seeded
) -> None:
    board_says(local, MO, f'challenge 4.1 "{QUESTION}"')

    result = local.emulator.slash(JANE, "/progress", 'answer C1 "Jo\'s DOB 12/03/2012 moved it"')

    assert "Not recorded yet" in result.text and "*C1*" in result.text
    assert "date of birth" in result.text
    assert "12/03/2012" not in result.all_text()
    assert [kind for _, kind, _ in events(local)] == ["asked"]
    assert result.ack_message is not None
    (anyway,) = [a for a in result.ack_message.actions() if a.action_id == ids.RECORD_ANSWER_ANYWAY]

    (done,) = local.emulator.click(JANE, result.ack_message, anyway).wait_for_response()

    assert "Your answer to *C1* on *4.1* is recorded" in done.text
    assert events(local)[-1] == (1, "answered", "Jo's DOB 12/03/2012 moved it")
    dm_from_bot(local, MO, "answered challenge *C1*")
    with local.services.uow() as uow:
        (audit,) = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.what == "privacy.record_anyway")
        ).all()
        assert audit.actor_id == board.people["jane"] and audit.at is not None
        assert audit.after == {"kinds": ["date-of-birth"], "source": "challenge", "challenge": 1}
        assert "12/03/2012" not in repr(audit.before) + repr(audit.after)
        assert uow.session.scalars(select(HeldNote)).all() == []
    again = local.emulator.click(JANE, result.ack_message, anyway).wait_for_response()
    assert "no longer waiting" in again[0].text
    assert len(events(local)) == 2


def test_a_held_answer_in_the_thread_gets_the_button_and_a_rephrased_one_is_recorded(
    local: LocalBot, board: Seeded
) -> None:
    board_says(local, MO, f'challenge 4.1 "{QUESTION}"')
    question = dm_from_bot(local, JANE, QUESTION)
    local.emulator.reply_in_thread(
        JANE, question.channel, question.ts, "Family at SW1A 1AA asked for it to move"
    )
    held = local.emulator.wait_for(
        lambda: next(
            (
                m
                for m in local.emulator.messages(channel=question.channel, thread_ts=question.ts)
                if "Not recorded yet" in m.all_text()
            ),
            None,
        ),
        timeout=10.0,
        what="the held answer's message in the thread",
    )
    assert "postcode" in held.all_text() and "SW1A" not in held.all_text()
    assert [a.action_id for a in held.actions()] == [ids.RECORD_ANSWER_ANYWAY]
    fine = local.emulator.slash(JANE, "/progress", 'answer C1 "The review moved to June"')
    assert "Your answer to *C1* on *4.1* is recorded" in fine.text
    assert [kind for _, kind, _ in events(local)] == ["asked", "answered"]


def test_a_question_holding_a_childs_details_is_refused_and_not_asked(
    local: LocalBot, board: Seeded
) -> None:
    refused = board_says(local, CHRIS, 'challenge 4.1 "Why did Jo (DOB 04/09/2012) move?"')
    assert "I haven't recorded that question" in refused
    assert "04/09/2012" not in refused
    assert events(local) == []
    jane = local.emulator.dm_channel(JANE)
    assert not local.emulator.messages(channel=jane, include_ephemeral=False)


def test_a_challenge_to_an_away_owner_goes_to_their_deputy_who_may_answer(
    local: LocalBot, board: Seeded
) -> None:
    away = local.emulator.slash(JANE, "/progress", f"away 16/05/2019 to 28/05/2019 deputy <@{MO}>")
    assert "Mo Member covers" in away.text

    board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')

    question = dm_from_bot(local, MO, QUESTION)
    assert "You're covering for Jane Doe while they're away." in question.all_text()
    jane = local.emulator.dm_channel(JANE)
    assert not any(
        QUESTION in m.all_text()
        for m in local.emulator.messages(channel=jane, include_ephemeral=False)
    )
    result = local.emulator.slash(MO, "/progress", 'answer C1 "Forum moved to June"')
    assert "Your answer to *C1* on *4.1* is recorded" in result.text
    dm_from_bot(local, CHRIS, "answered challenge *C1*")


def test_the_chair_reopens_with_a_follow_up_that_goes_to_the_owners(
    local: LocalBot, board: Seeded
) -> None:
    board_says(local, CHRIS, f'challenge 4.2 "{QUESTION}"')
    local.emulator.slash(OMAR, "/progress", 'answer C1 "Panel met twice"')

    reopened = board_says(local, CHRIS, 'challenge reopen C1 "What did the panel decide?"')

    assert "*C1* on *4.2* is open again" in reopened
    assert "What did the panel decide?" in dm_from_bot(local, OMAR, "asks a follow-up").all_text()
    assert "open, reopened today (reopened)" in board_says(local, CHRIS, "challenges open")


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        (JANE, f'challenge 4.1 "{QUESTION}"', "Only the board's chair and members can challenge"),
        (CHRIS, f'challenge 9.9 "{QUESTION}"', "There's no action 9.9"),
        (CHRIS, "challenge close C7", "There's no challenge C7"),
    ],
)
def test_board_refusals_change_nothing(
    local: LocalBot, board: Seeded, user: str, text: str, expected: str
) -> None:
    said = board_says(local, user, text)

    assert ":warning:" in said and expected in said
    assert events(local) == []


def test_only_owners_answer_and_only_the_chair_or_an_admin_closes(
    local: LocalBot, board: Seeded
) -> None:
    board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')

    for user in (OMAR, MO, CHRIS):
        refused = local.emulator.slash(user, "/progress", 'answer C1 "not mine"')
        assert "Only the action's owners and delegates" in refused.text
    for user in (JANE, OMAR, MO):
        assert "Only the board's chair (or a plan admin)" in board_says(
            local, user, "challenge close C1"
        )
    assert "is closed" in board_says(local, ADA, "challenge close C1")
    closed = local.emulator.slash(JANE, "/progress", 'answer C1 "late"')
    assert "C1 is closed, so it takes no more answers" in closed.text
    assert [kind for _, kind, _ in events(local)] == ["asked", "closed"]


def test_reopening_an_open_challenge_is_refused(local: LocalBot, board: Seeded) -> None:
    board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')

    said = board_says(local, CHRIS, 'challenge reopen C1 "And?"')

    assert "C1 is still open, waiting for the owners' answer" in said


def test_the_pack_lists_open_and_answered_challenges_with_their_age_and_the_digest_counts_them(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')
    board_says(local, CHRIS, 'challenge 4.2 "Is the panel quorate?"')
    local.emulator.slash(OMAR, "/progress", 'answer C2 "Yes, since April"')
    board_says(local, CHRIS, 'challenge 5.1 "Who audits the auditors?"')
    board_says(local, CHRIS, "challenge close C3")
    clock.set(dt.datetime(2019, 5, 28, 9, 0, tzinfo=dt.UTC))

    pack = board_says(local, CHRIS, "pack")
    assert "*Challenges open and answered* (2)" in pack
    assert "*C1* *4.1* Seek foster carers' views — open, asked 12 days ago" in pack
    assert "*C2* *4.2* Review placement sufficiency — answered, answered 12 days ago" in pack
    assert "Yes, since April" in pack
    assert "C3" not in pack
    assert "Challenges: *1* open · *1* answered · 1 closed" in board_says(local, CHRIS, "digest")


def test_plan_export_has_a_challenge_log_sheet_and_show_json_a_challenges_key(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')
    clock.set(dt.datetime(2019, 5, 20, 9, 0, tzinfo=dt.UTC))
    local.emulator.slash(JANE, "/progress", 'answer C1 "Forum moved to 3 June"')

    result = local.emulator.slash(ADA, "/plan", "export", channel_id="CBOARD0000")
    result.wait_for_response(timeout=5)
    (xlsx,) = local.emulator.files(channel="CBOARD0000")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content or b""))
    assert workbook.sheetnames == ["Plan", "Challenge log"]
    rows = list(workbook["Challenge log"].iter_rows(values_only=True))
    assert rows == [
        ("Ref", "Asked by", "Asked on", "Question", "Answer", "Answered on", "State"),
        (
            "4.1",
            "Chris Chair",
            dt.datetime(2019, 5, 16),
            QUESTION,
            "Forum moved to 3 June",
            dt.datetime(2019, 5, 20),
            "Answered",
        ),
    ]

    with local.services.uow() as uow:
        [plan] = plan_snapshots(uow, now=clock.now())
    first = plan["themes"][0]["actions"][0]
    assert first["ref"] == "4.1"
    assert [(c["id"], c["state"], c["answer"], c["age"]) for c in first["challenges"]] == [
        ("C1", "answered", "Forum moved to 3 June", "answered today")
    ]
    assert first["movement"]["since"] == "2019-05-14T09:00:00+00:00"  # 10:00 BST, 14 May


def test_a_retried_or_doubled_challenge_command_changes_nothing_twice(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    emulator = local.emulator
    asked = emulator.slash(CHRIS, "/board", f'challenge 4.1 "{QUESTION}"')
    asked.wait_for_response(1)
    retried = emulator.retry(asked)  # Slack's retry: the same command, X-Slack-Retry-Num 1
    assert retried.status == 200
    again = board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')  # typed twice
    assert "That was recorded already: *C1* is open" in again
    dm_from_bot(local, JANE, QUESTION)
    local.settle()
    assert [kind for _, kind, _ in events(local)] == ["asked"]
    questions = [
        m
        for m in emulator.messages(channel=emulator.dm_channel(JANE), include_ephemeral=False)
        if m.from_bot and QUESTION in m.all_text()
    ]
    assert len(questions) == 1

    local.emulator.slash(JANE, "/progress", 'answer C1 "Forum moved to June"')
    clock.set(dt.datetime(2019, 5, 16, 7, 5, tzinfo=dt.UTC))
    closed = emulator.slash(CHRIS, "/board", "challenge close C1 fine")
    closed.wait_for_response(1)
    emulator.retry(closed)
    twice = board_says(local, CHRIS, "challenge close C1 fine")  # a double click
    assert "That was recorded already: *C1* is closed" in twice
    reopened = board_says(local, CHRIS, 'challenge reopen C1 "And the survey?"')
    assert "is open again" in reopened
    assert "recorded already" in board_says(local, CHRIS, 'challenge reopen C1 "And the survey?"')
    local.settle()
    assert [kind for _, kind, _ in events(local)] == ["asked", "answered", "closed", "reopened"]


def test_every_answer_is_kept_and_shown_in_order(
    local: LocalBot, board: Seeded, clock: ManualClock
) -> None:
    board_says(local, CHRIS, f'challenge 4.1 "{QUESTION}"')
    clock.set(dt.datetime(2019, 5, 20, 9, 0, tzinfo=dt.UTC))
    local.emulator.slash(JANE, "/progress", 'answer C1 "Forum moved to 3 June"')
    clock.set(dt.datetime(2019, 5, 21, 9, 0, tzinfo=dt.UTC))
    board_says(local, CHRIS, 'challenge reopen C1 "And the survey?"')
    clock.set(dt.datetime(2019, 5, 22, 9, 0, tzinfo=dt.UTC))
    local.emulator.slash(JANE, "/progress", 'answer C1 "Survey goes out on 4 June"')
    second = local.emulator.slash(JANE, "/progress", 'answer C1 "20 carers replied already"')
    assert "Forum moved to 3 June" in second.text  # the first answer is still there

    listed = board_says(local, CHRIS, "challenges")
    order = [
        QUESTION,
        "Forum moved to 3 June",
        "And the survey?",
        "Survey goes out on 4 June",
        "20 carers replied already",
    ]
    at = [listed.index(text) for text in order]
    assert at == sorted(at), listed
    assert "_Follow-up from Chris Chair:_" in listed
    assert listed.count("_Answer from Jane Doe:_") == 3

    pack = board_says(local, CHRIS, "pack")
    at = [pack.index(text) for text in order]
    assert at == sorted(at), pack

    result = local.emulator.slash(ADA, "/plan", "export", channel_id="CBOARD0000")
    result.wait_for_response(timeout=5)
    (xlsx,) = local.emulator.files(channel="CBOARD0000")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content or b""))
    (_, row) = list(workbook["Challenge log"].iter_rows(values_only=True))
    assert row[3] == (
        f"16/05/2019 Chris Chair: {QUESTION}\n\n21/05/2019 Chris Chair: And the survey?"
    )
    assert row[4] == (
        "20/05/2019 Jane Doe: Forum moved to 3 June\n\n"
        "22/05/2019 Jane Doe: Survey goes out on 4 June\n\n"
        "22/05/2019 Jane Doe: 20 carers replied already"
    )
    assert row[5] == dt.datetime(2019, 5, 22)
