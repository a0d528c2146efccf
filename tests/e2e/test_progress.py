"""`/progress` end to end: every form, the update modal, and the buttons under `/progress mine`.

Requests are signed and go over HTTP to the real Bolt app; the Slack side is the emulator.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox import Message, View
from bot.sandbox.blocks import ActionRef
from bot.sandbox.local import LocalBot
from bot.services.plans import Actor, add_action, add_theme, create_plan, find_board, set_owners
from db.models import Action, DateChangeRequest, Notification, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, OMAR, CHAIR, MO = "UJANE00000", "UOMAR00000", "UCHAIR0000", "UMEMBER000"
START_NOW = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def status_of(local: LocalBot, action_id: int) -> str:
    with local.services.uow() as uow:
        action = uow.session.get(Action, action_id)
        assert action is not None
        return action.status


def updates_of(local: LocalBot, action_id: int) -> list[tuple[str | None, str | None, str]]:
    """(status, note, source) of each update, oldest first."""
    with local.services.uow() as uow:
        rows = uow.session.execute(
            select(ProgressUpdate.status, ProgressUpdate.note, ProgressUpdate.source)
            .where(ProgressUpdate.action_id == action_id)
            .order_by(ProgressUpdate.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def count(local: LocalBot, model: type) -> int:
    with local.services.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def sending(local: LocalBot) -> int:
    """Messages the bot is still in the middle of sending (claimed in the ledger)."""
    with local.services.uow() as uow:
        return int(
            uow.session.scalar(select(func.count()).where(Notification.state == "sending")) or 0
        )


def button(source: Message | View, action_id: str, value: int | str) -> ActionRef:
    """The button with this action_id and value (several actions share action_ids)."""
    found = [a for a in source.actions() if a.action_id == action_id and a.value == str(value)]
    assert len(found) == 1, source.actions()
    return found[0]


def wait_for_modal(local: LocalBot, user: str, title: str) -> View:
    return local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(user)) is not None and v.title == title and v,
        what=f"the {title!r} modal",
    )


# ---------------------------------------------------------------- text forms


def test_help_shows_every_form(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "help")

    assert result.status == 200
    for form in ("/progress mine", "done", "note", "date", "/progress 4.1 amber"):
        assert form in result.text
    assert "<ref>" not in result.text  # shown escaped, as typed forms


def test_mine_lists_my_open_actions_with_buttons(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "mine")

    text = result.all_text()
    assert "*4.1* Seek foster carers' views" in text
    assert "*5.1* Audit supervision records" in text
    assert "4.2" not in text  # Omar's
    assert text.index("4.1") < text.index("5.1")  # soonest due first
    assert result.ack_message is not None and result.ack_message.ephemeral_to == JANE
    for ref in ("4.1", "5.1"):
        value = board.actions[ref]
        for action_id in (ids.UPDATE_ACTION, ids.COMPLETE_ACTION, ids.ASK_NEW_DATE):
            button(result.ack_message, action_id, value)


def test_mine_with_no_actions_says_so(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(MO, "/progress", "mine")

    assert result.text.startswith("You have no open actions")
    assert result.blocks == []


def test_status_and_note_are_recorded_and_confirmed(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped to June")

    assert ":large_orange_circle: At risk (was Not started)" in result.text
    assert ">survey slipped to June" in result.text
    assert status_of(local, board.actions["4.1"]) == "amber"
    assert updates_of(local, board.actions["4.1"]) == [
        ("amber", "survey slipped to June", "command")
    ]


def test_a_note_keeps_the_status(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "5.1 on track")
    result = local.emulator.slash(JANE, "/progress", "5.1 note carers' forum booked for 3 June")

    assert "On track (unchanged)" in result.text
    assert "carers' forum booked for 3 June" in result.text
    assert updates_of(local, board.actions["5.1"])[-1] == (
        "green",
        "carers' forum booked for 3 June",
        "command",
    )


def test_done_marks_the_action_complete(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(OMAR, "/progress", "4.2 done all placements reviewed")

    assert "Complete (was Not started)" in result.text
    assert status_of(local, board.actions["4.2"]) == "blue"
    with local.services.uow() as uow:
        action = uow.session.get(Action, board.actions["4.2"])
        assert action is not None and action.completed_on == dt.date(2019, 5, 16)


def test_an_owner_shared_action_can_be_updated_by_either_owner(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(OMAR, "/progress", "5.1 red: auditor off sick")

    assert status_of(local, board.actions["5.1"]) == "red"


@pytest.mark.parametrize(
    ("user", "text", "expected"),
    [
        (JANE, "9.9 amber late", "There's no action 9.9"),
        (JANE, "4.2 amber late", "Only the action's owners and delegates"),
        (MO, "4.1 done", "Only the action's owners and delegates"),
        (JANE, "4.2 amber late", "Ask an admin to add you: `/plan action delegate 4.2 @you`"),
        (JANE, "4.1 purple it is", "Start with a status or `note`"),
        (JANE, "amber 4.1 late", "Put the action's ref first"),
        (JANE, "4.1 note", "What's the note?"),
        (JANE, "4.1 date 31 Juky 2019 summer", 'I can\'t read "31 Juky 2019" as a date'),
        (JANE, "4.1 date 31/07/2019", "Say why the date needs to change"),
        (JANE, "4.1 date 01/05/2019 it slipped", "1 May 2019 is in the past"),
        (JANE, "4.1 date 31/05/2019 no change", "4.1 is already due on 31 May 2019"),
        (JANE, "mine please", "`/progress mine` takes nothing after it"),
        (JANE, "frobnicate", "isn't an action ref like 4.1"),
    ],
)
def test_mistakes_get_one_friendly_line_and_change_nothing(
    local: LocalBot,
    board: Seeded,
    user: str,
    text: str,
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = local.emulator.slash(user, "/progress", text)
    local.settle()

    # A person's mistake is answered, not logged as the bot's own error.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    assert result.status == 200
    assert result.text.startswith(":warning: ")
    assert expected in result.text
    assert "\n" not in result.text and result.blocks == []
    assert count(local, ProgressUpdate) == 0
    assert count(local, DateChangeRequest) == 0
    assert {status_of(local, a) for a in board.actions.values()} == {"not_started"}
    assert local.emulator.calls_to("chat.postMessage") == []


def test_an_unreadable_status_is_refused_with_what_to_type(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "4.1 sort-of-ok fine really")

    assert "`/progress 4.1 amber survey slipped to June`" in result.text
    assert count(local, ProgressUpdate) == 0


def test_a_ref_in_two_active_plans_means_the_one_i_own(local: LocalBot, board: Seeded) -> None:
    with local.services.uow() as uow:
        admin = Actor(board.workspace_id, board.people["ada"])
        plan = create_plan(
            uow, admin, find_board(uow, board.workspace_id, None), "Second plan", START_NOW
        )
        add_theme(uow, admin, plan, "4", "Another theme", START_NOW)
        other = add_action(
            uow, admin, plan, "4.1", "Someone else's 4.1", START_NOW,
            due=dt.date(2019, 9, 30), owner_ids=[board.people["omar"]],
        )  # fmt: skip
        other_id = other.id
        uow.commit()

    local.emulator.slash(JANE, "/progress", "4.1 green")
    local.emulator.slash(OMAR, "/progress", "4.1 red")
    refused = local.emulator.slash(MO, "/progress", "4.1 red")

    assert status_of(local, board.actions["4.1"]) == "green"
    assert status_of(local, other_id) == "red"
    assert "Several plans have an action 4.1" in refused.text


# ---------------------------------------------------------------- the update modal


def test_bare_progress_opens_the_update_modal_on_my_actions(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress")

    assert result.status == 200 and result.ack_message is None
    view = wait_for_modal(local, JANE, "Update an action")
    assert view.callback_id == ids.UPDATE_MODAL
    select_element = next(e for b, e in view.inputs() if b["block_id"] == "action")
    values = [o["value"] for o in select_element["options"]]
    assert values == [str(board.actions["4.1"]), str(board.actions["5.1"])]
    status_element = next(e for b, e in view.inputs() if b["block_id"] == "status")
    assert [o["value"] for o in status_element["options"]] == [
        "not_started",
        "green",
        "amber",
        "red",
        "blue",
    ]


def test_the_modal_shows_errors_on_the_field_and_records_nothing(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(JANE, "/progress")
    wait_for_modal(local, JANE, "Update an action")

    empty = local.emulator.submit_view(JANE, values={"action": str(board.actions["5.1"])})
    assert set(empty.errors) == {"note"}
    assert "status or write a note" in empty.errors["note"]
    assert empty.view is not None and empty.view.title == "Update an action"
    assert count(local, ProgressUpdate) == 0


def test_the_modal_records_an_update(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress")
    wait_for_modal(local, JANE, "Update an action")

    saved = local.emulator.submit_view(
        JANE,
        values={
            "action": str(board.actions["5.1"]),
            "status": "amber",
            "note": "Two teams behind\non the audit",
            "evidence": "Audit tracker, week 20",
        },
    )

    assert saved.errors == {}
    assert saved.response_action == "update"
    assert saved.view is not None and saved.view.title == "Update saved"
    assert "At risk (was Not started)" in saved.view.all_text()
    assert updates_of(local, board.actions["5.1"]) == [
        ("amber", "Two teams behind\non the audit", "modal")
    ]
    with local.services.uow() as uow:
        evidence = uow.session.scalar(select(ProgressUpdate.evidence))
    assert evidence == "Audit tracker, week 20"


def test_progress_with_a_ref_opens_the_modal_on_that_action(local: LocalBot, board: Seeded) -> None:
    local.emulator.slash(JANE, "/progress", "5.1")
    view = wait_for_modal(local, JANE, "Update an action")
    select_element = next(e for b, e in view.inputs() if b["block_id"] == "action")
    assert select_element["initial_option"]["value"] == str(board.actions["5.1"])

    local.emulator.submit_view(JANE, values={"note": "On plan"})

    assert updates_of(local, board.actions["5.1"]) == [("not_started", "On plan", "modal")]


def test_someone_with_no_actions_is_told_instead_of_a_modal(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(MO, "/progress")

    assert result.text.startswith(":warning: You have no open actions")
    assert local.emulator.open_view(MO) is None


def test_progress_with_someone_elses_ref_opens_nothing(local: LocalBot, board: Seeded) -> None:
    result = local.emulator.slash(JANE, "/progress", "4.2")

    assert "Only the action's owners" in result.text
    assert local.emulator.open_view(JANE) is None


# ---------------------------------------------------------------- buttons under /progress mine


def test_update_button_opens_the_modal_on_that_action(local: LocalBot, board: Seeded) -> None:
    mine = local.emulator.slash(JANE, "/progress", "mine").ack_message
    assert mine is not None

    local.emulator.click(JANE, mine, button(mine, ids.UPDATE_ACTION, board.actions["5.1"]))
    view = wait_for_modal(local, JANE, "Update an action")
    select_element = next(e for b, e in view.inputs() if b["block_id"] == "action")
    assert select_element["initial_option"]["value"] == str(board.actions["5.1"])
    assert "*5.1* Audit supervision records" in view.all_text()

    saved = local.emulator.submit_view(JANE, values={"status": "green"})

    assert saved.view is not None and "On track" in saved.view.all_text()
    assert status_of(local, board.actions["5.1"]) == "green"


def test_mark_complete_button_records_blue_and_answers_ephemerally(
    local: LocalBot, board: Seeded
) -> None:
    mine = local.emulator.slash(JANE, "/progress", "mine").ack_message
    assert mine is not None
    complete = button(mine, ids.COMPLETE_ACTION, board.actions["4.1"])

    first = local.emulator.click(JANE, mine, complete)
    (answer,) = first.wait_for_response()

    assert answer.ephemeral_to == JANE
    assert "Complete (was Not started)" in answer.text
    assert updates_of(local, board.actions["4.1"]) == [("blue", None, "button")]

    again = local.emulator.click(JANE, mine, complete)
    (second,) = again.wait_for_response()
    assert second.text == ":warning: 4.1 is already marked complete."
    assert len(updates_of(local, board.actions["4.1"])) == 1


def test_ask_for_new_date_button_validates_then_asks_the_chair(
    local: LocalBot, board: Seeded
) -> None:
    mine = local.emulator.slash(JANE, "/progress", "mine").ack_message
    assert mine is not None

    local.emulator.click(JANE, mine, button(mine, ids.ASK_NEW_DATE, board.actions["4.1"]))
    view = wait_for_modal(local, JANE, "Ask for a new date")
    assert view.callback_id == ids.DATE_CHANGE_MODAL
    assert "Due now: *31 May 2019*" in view.all_text()

    past = local.emulator.submit_view(
        JANE, values={"new_date": "2019-05-01", "reason": "carers' survey moved"}
    )
    assert set(past.errors) == {"new_date"} and "in the past" in past.errors["new_date"]
    blank = local.emulator.submit_view(JANE, values={"new_date": "2019-07-31", "reason": "   "})
    assert set(blank.errors) == {"reason"}
    assert count(local, DateChangeRequest) == 0

    sent = local.emulator.submit_view(
        JANE, values={"new_date": "2019-07-31", "reason": "carers' survey moved to July"}
    )

    assert sent.view is not None and sent.view.title == "Request sent"
    assert "I've asked Chris Chair" in sent.view.all_text()
    chair_dm = local.emulator.wait_for_message(channel="DCHAIR0000")
    assert "31 May 2019 → *31 July 2019*" in chair_dm.all_text()
    with local.services.uow() as uow:
        request = uow.session.scalar(select(DateChangeRequest))
        assert request is not None and request.state == "pending"
        assert request.new_due_date == dt.date(2019, 7, 31)


def test_buttons_on_an_action_no_longer_mine_are_refused(local: LocalBot, board: Seeded) -> None:
    mine = local.emulator.slash(JANE, "/progress", "mine").ack_message
    assert mine is not None
    with local.services.uow() as uow:  # meanwhile an admin gives 4.1 to Omar
        action = uow.session.get(Action, board.actions["4.1"])
        assert action is not None
        admin = Actor(board.workspace_id, board.people["ada"])
        set_owners(uow, admin, action, [board.people["omar"]], START_NOW)
        uow.commit()

    result = local.emulator.click(JANE, mine, button(mine, ids.COMPLETE_ACTION, action.id))
    (answer,) = result.wait_for_response()
    update = local.emulator.click(JANE, mine, button(mine, ids.UPDATE_ACTION, action.id))
    (update_answer,) = update.wait_for_response()

    assert "Only the action's owners" in answer.text
    assert "Only the action's owners" in update_answer.text
    assert status_of(local, board.actions["4.1"]) == "not_started"
    assert local.emulator.open_view(JANE) is None


# ---------------------------------------------------------------- escaping


def test_a_channel_ping_in_a_note_is_never_posted_unescaped(
    local: LocalBot, clock: ManualClock, board: Seeded
) -> None:
    emulator = local.emulator
    ack = emulator.slash(JANE, "/progress", "4.1 amber <!channel> survey & <@UCHAIR0000> slipped")
    emulator.slash(JANE, "/progress", "4.1 date 30/06/2019 <!here> summer <!channel>")
    emulator.wait_for_message(channel="DCHAIR0000")
    emulator.wait_for(lambda: not sending(local), what="the ledger to record the chair's DM")
    emulator.open_home(JANE)
    emulator.wait_for(lambda: emulator.home_view(JANE))
    clock.set(dt.datetime(2019, 6, 3, 8, 0, tzinfo=dt.UTC))  # 09:00 BST: a reminder day
    local.run_jobs()
    reminder = emulator.wait_for_message(
        channel="DJANE00000", from_bot=True, include_ephemeral=False
    )
    emulator.reply_in_thread(JANE, "DJANE00000", reminder.ts, "4.1 red: <!channel> still late")
    emulator.wait_for_message(
        lambda m: m.thread_ts == reminder.ts and m.ts != reminder.ts and m.from_bot,
        channel="DJANE00000",
    )

    # `<!channel>` is kept as the words "@channel"; a mention with no name stays escaped.
    assert "@channel survey &amp; &lt;@UCHAIR0000&gt; slipped" in ack.text
    posted = [m.all_text() for m in emulator.messages(from_bot=True)]
    home = emulator.home_view(JANE)
    assert home is not None
    posted.append(home.all_text())
    assert any("@channel still late" in text for text in posted[1:])
    for text in posted:
        assert "<!channel>" not in text and "<!here>" not in text and "<@UCHAIR0000>" not in text
    for call in emulator.calls_to("chat.postMessage") + emulator.calls_to("chat.update"):
        assert "<!channel>" not in str(call.params)


def test_people_channels_and_links_in_a_note_read_as_typed_not_as_slack_ids(
    local: LocalBot, board: Seeded
) -> None:
    """Jane types `@chris`, `#improvement-board`, `@here` and a link in her note; the chair
    reads those words in the digest and the paper, not `<@UCHAIR|chris>` — and nothing pings."""
    answer = local.emulator.slash(
        JANE,
        "/progress",
        "4.1 note asked <@UCHAIR|chris> and <#CBOARD|improvement-board>, <!here> "
        "see <https://council.example/plan|the plan>",
    )

    note = "asked @chris and #improvement-board, @here see the plan (https://council.example/plan)"
    assert updates_of(local, board.actions["4.1"]) == [("not_started", note, "command")]
    assert note in answer.text
    assert "<@" not in answer.text and "<!" not in answer.text and "&lt;" not in answer.text
