"""`/board` end to end: signed slash commands over HTTP to the real Bolt app, answers read
from the local Slack emulator, the board built through the use cases (or in bulk for size).

The clock stands at Thursday 16 May 2019, 08:00 BST. The seeded board meets on the second
Tuesday of the month (14 May, 11 June …); 4.2 was due 30 April, so it is 11 working days
overdue (6 May was a bank holiday).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.impact import Impact
from bot.core.statuses import Status
from bot.render import ids
from bot.render.mrkdwn import BLOCK_LIMIT, SECTION_LIMIT
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from bot.services.plans import Actor, create_board
from bot.services.progress import record_progress, request_date_change
from db.models import Action, ActionAssignment, Board, MeetingChange, Plan, Theme
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

ADA, CHRIS, JANE, OMAR, MO = "UADMIN0000", "UCHAIR0000", "UJANE00000", "UOMAR00000", "UMEMBER000"
STRANGER = "USAM000000"
HOSTILE = ("<!channel>", "<!here>", "<!everyone>", "<@UOMAR00000|omar>", "<https://evil.example|x>")
ANSWER_WITHIN = 3.0  # seconds: Slack shows an error if a command gets nothing in 3 s


# ---------------------------------------------------------------- helpers


def ask(
    local: LocalBot, user: str, text: str = "", count: int | None = 1, channel: str | None = None
) -> list[Message]:
    """`user` types `/board text`; returns every message the bot shows them in answer —
    `count` of them, or as many as arrive until they stop when `count` is None."""
    emulator = local.emulator
    before = max((float(m.ts) for m in emulator.messages()), default=0.0)
    started = time.monotonic()
    result = emulator.slash(user, "/board", text, channel_id=channel)
    assert result.ok, result.body
    assert result.ack_message is None  # acked at once, answered on the response_url
    result.wait_for_response(1, timeout=ANSWER_WITHIN)
    assert time.monotonic() - started < ANSWER_WITHIN

    def shown() -> list[Message]:
        return [m for m in emulator.messages(since=before) if m.ephemeral_to == user]

    local.settle()  # everything the command started has finished: nothing more will come
    found = shown()
    assert all(m.from_bot for m in found)
    if count is not None:
        assert len(found) == count, [m.text for m in found]
    return found


def one_line(local: LocalBot, user: str, text: str) -> str:
    """A refusal or a short answer: one message, one line of text, no blocks."""
    [message] = ask(local, user, text)
    assert not message.blocks
    assert "\n" not in message.text, message.text
    return message.text


def refused(local: LocalBot, user: str, text: str) -> str:
    line = one_line(local, user, text)
    assert line.startswith(":warning: ")
    return line


def everything(messages: list[Message]) -> str:
    return "\n".join(m.all_text() for m in messages)


def check_limits(messages: list[Message], user: str) -> None:
    for message in messages:
        assert message.ephemeral_to == user
        assert len(message.blocks) <= BLOCK_LIMIT
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_LIMIT


def buttons(message: Message) -> list[dict[str, Any]]:
    return [
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def as_person(seeded: Seeded, handle: str) -> Actor:
    return Actor(seeded.workspace_id, seeded.people[handle])


def earlier(local: LocalBot, **delta: float) -> dt.datetime:
    return local.clock.now() - dt.timedelta(**delta)


@pytest.fixture
def seeded(local: LocalBot) -> Seeded:
    return seed_board(local)


def ask_date_change(
    local: LocalBot, seeded: Seeded, handle: str, ref: str, new_due: dt.date, reason: str
) -> int:
    with local.services.uow() as uow:
        action = uow.session.get(Action, seeded.actions[ref])
        assert action is not None
        request = request_date_change(
            uow, as_person(seeded, handle), action, new_due, reason, earlier(local, hours=2)
        )
        uow.commit()
        return request.id


def due_date(local: LocalBot, action_id: int) -> dt.date | None:
    with local.services.uow() as uow:
        return uow.session.scalars(select(Action.due_date).where(Action.id == action_id)).one()


# ---------------------------------------------------------------- status by theme


def test_bare_board_shows_status_by_theme(local: LocalBot, seeded: Seeded) -> None:
    [message] = ask(local, CHRIS)
    text = message.all_text()
    assert "Improvement Board — status" in text
    assert "*3 actions* · *0%* complete · *1* overdue" in text
    assert "*4 Placement stability*" in text
    assert "2 actions · *0%* complete · :warning: *1 overdue*" in text
    assert "*5 Quality of social work practice*" in text
    assert ":white_circle: Not started 1" in text
    check_limits([message], CHRIS)


def test_status_counts_statuses_and_percent_complete(local: LocalBot, seeded: Seeded) -> None:
    with local.services.uow() as uow:
        for ref, handle, status in (("4.1", "jane", Status.BLUE), ("4.2", "omar", Status.AMBER)):
            action = uow.session.get(Action, seeded.actions[ref])
            assert action is not None
            record_progress(
                uow,
                as_person(seeded, handle),
                action,
                earlier(local, hours=1),
                source="command",
                status=status,
            )
        uow.commit()
    text = ask(local, MO)[0].all_text()  # a board member may read
    assert "*3 actions* · *33%* complete · *1* overdue" in text
    assert "2 actions · *50%* complete · :warning: *1 overdue*" in text
    assert (
        ":large_orange_circle: At risk 1 · "
        ":large_blue_circle: Delivered, impact not yet evidenced 1" in text
    )
    assert "Complete 1" not in text


def test_a_board_can_be_named_and_a_wrong_name_is_refused(local: LocalBot, seeded: Seeded) -> None:
    text = ask(local, CHRIS, '"improvement board"')[0].all_text()
    assert "Improvement Board — status" in text
    line = refused(local, CHRIS, '"Fostering Board"')
    assert "no board called “Fostering Board”" in line


def test_several_boards_need_a_name(local: LocalBot, seeded: Seeded) -> None:
    with local.services.uow() as uow:
        create_board(uow, as_person(seeded, "ada"), "Scrutiny Board", local.clock.now())
        uow.commit()
    line = refused(local, ADA, "")
    assert "several boards" in line and "“Scrutiny Board”" in line
    text = ask(local, ADA, '"Scrutiny Board"')[0].all_text()
    assert "No active plan on this board yet." in text


def test_no_board_yet(local: LocalBot) -> None:
    assert "There are no boards yet" in refused(local, ADA, "")


def test_a_stranger_is_refused_every_view(local: LocalBot, seeded: Seeded) -> None:
    local.emulator.add_user(STRANGER, "sam", "Sam Stranger", "sam@council.example")
    for text in ("", "digest", "pack", "overdue", "theme 4", "meetings", "history 4.1", "approve"):
        line = refused(local, STRANGER, text)
        assert line == ":warning: You're not on this board yet. Ask a plan admin to add you."


def test_owners_and_theme_leads_may_read(local: LocalBot, seeded: Seeded) -> None:
    assert "Improvement Board — status" in ask(local, JANE)[0].all_text()
    assert "Theme 4" in ask(local, OMAR, "theme 4")[0].text


# ---------------------------------------------------------------- digest and pack previews


def test_digest_preview(local: LocalBot, seeded: Seeded) -> None:
    [message] = ask(local, CHRIS, "digest")
    text = message.all_text()
    assert "Improvement Board — digest 16 May 2019" in text
    assert "Preview: only you can see this" in text
    assert "*4.2* Review placement sufficiency — Omar Shah — *11 working days* overdue" in text
    assert message.ephemeral_to == CHRIS
    # A preview is only a preview: nothing went to the chair's DM or the board channel.
    assert not local.emulator.messages(channel="CBOARD0000")
    dm = local.emulator.dm_channel(CHRIS)
    assert not local.emulator.messages(channel=dm, include_ephemeral=False)


def test_pack_preview_for_the_next_meeting(local: LocalBot, seeded: Seeded) -> None:
    request_id = ask_date_change(
        local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed"
    )
    [message, paper_sent] = ask(local, CHRIS, "pack", count=2)
    assert paper_sent.text.startswith("I've sent you the committee paper")
    text = message.all_text()
    assert "Improvement Board — pack for 11 June 2019" in text
    assert "changes since the meeting on 14 May 2019" in text
    assert "*Not updated since the meeting on 14 May 2019* (2)" in text
    assert "*Date changes to approve* (1)" in text
    assert [b["value"] for b in buttons(message)] == [str(request_id)] * 2
    assert not local.emulator.messages(channel="CBOARD0000")


def test_a_pack_preview_offers_approve_only_to_who_can_approve(
    local: LocalBot, seeded: Seeded
) -> None:
    """Omar, an owner, previews the pack: he sees the date change the board will decide, but
    no Approve / Decline buttons that would only refuse him."""
    ask_date_change(local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed")

    [message] = ask(local, OMAR, "pack")

    assert "*Date changes to approve* (1)" in message.all_text()
    assert "survey delayed" in message.all_text()
    assert buttons(message) == []


def test_pack_without_meetings(local: LocalBot) -> None:
    seed_board(local, meetings=None)
    line = refused(local, CHRIS, "pack")
    assert "no meeting coming up" in line and "/plan board meetings" in line


def bulk_plan(local: LocalBot, seeded: Seeded, themes: int, per_theme: int) -> None:
    """Add themes and overdue actions straight to the seeded plan (the use cases would take
    seconds for hundreds of actions; what is read back is the same rows)."""
    with local.services.uow() as uow:
        session = uow.session
        for t in range(themes):
            theme = Theme(
                plan_id=seeded.plan_id,
                ref=str(100 + t),
                title=f"Theme {100 + t}: practice standards <!channel> & audit",
                position=10 + t,
            )
            session.add(theme)
            session.flush()
            for a in range(per_theme):
                action = Action(
                    plan_id=seeded.plan_id,
                    theme_id=theme.id,
                    ref=f"{100 + t}.{a + 1}",
                    title=(
                        f"Action {a + 1}: make sure every child's plan is reviewed on time "
                        "and the review is recorded <!here>"
                    ),
                    due_date=dt.date(2019, 4, 1) + dt.timedelta(days=a),
                    original_due_date=dt.date(2019, 4, 1),
                    status="amber",
                    position=a,
                )
                action.assignments.append(
                    ActionAssignment(person_id=seeded.people["jane"], role="owner", position=0)
                )
                session.add(action)
        uow.commit()


def test_digest_preview_of_a_large_board_is_split_to_fit_slack(
    local: LocalBot, seeded: Seeded
) -> None:
    bulk_plan(local, seeded, themes=50, per_theme=6)  # 300 actions, all overdue
    messages = ask(local, CHRIS, "digest", count=None)
    # More than a response_url takes: parts 5 on are posted with chat.postEphemeral.
    assert len(messages) > 5
    assert len(local.emulator.calls_to("chat.postEphemeral")) == len(messages) - 4
    check_limits(messages, CHRIS)
    for number, message in enumerate(messages[1:], start=2):
        first = message.blocks[0]
        assert first["type"] == "context"
        assert f"(part {number} of {len(messages)})" in first["elements"][0]["text"]
    text = everything(messages)
    assert "*303* actions" in text
    for t in range(50):  # every theme is there, each once
        assert text.count(f"*{100 + t} Theme {100 + t}:") == 1
    assert "<!channel>" not in text and "<!here>" not in text


def test_a_preview_too_long_for_five_replies_says_what_is_left_out(
    local: LocalBot, seeded: Seeded
) -> None:
    bulk_plan(local, seeded, themes=130, per_theme=1)
    local.emulator.add_channel("CQUIET0000", "quiet", bot_is_member=False)
    messages = ask(local, CHRIS, "digest", count=5, channel="CQUIET0000")
    check_limits(messages, CHRIS)
    total = messages[1].blocks[0]["elements"][0]["text"].rsplit(" of ", 1)[1].rstrip(")")
    note = messages[-1].blocks[0]["elements"][0]["text"]
    assert note.startswith(f"_Parts 5–{total} of {total} can't be shown here")
    assert "`/board theme &lt;ref&gt;`" in note


# ---------------------------------------------------------------- overdue, theme, history


def test_overdue_lists_open_actions_past_due_with_working_days(
    local: LocalBot, seeded: Seeded
) -> None:
    [message] = ask(local, MO, "overdue")
    text = message.all_text()
    assert "1 open action past the due date as of 16 May 2019" in text
    assert (
        "• *4.2* Review placement sufficiency — Omar Shah — *11 working days* overdue "
        "(due 30 April 2019) · :white_circle: Not started"
    ) in text


def test_nothing_overdue(local: LocalBot, seeded: Seeded) -> None:
    with local.services.uow() as uow:
        action = uow.session.get(Action, seeded.actions["4.2"])
        assert action is not None
        record_progress(
            uow, as_person(seeded, "omar"), action, earlier(local, minutes=5), source="command",
            status=Status.BLUE,
        )  # fmt: skip
        uow.commit()
    line = one_line(local, CHRIS, "overdue")
    assert line == ":white_check_mark: Nothing is overdue on Improvement Board (as of 16 May 2019)."


def test_theme_shows_its_actions_owners_and_latest_update(local: LocalBot, seeded: Seeded) -> None:
    with local.services.uow() as uow:
        action = uow.session.get(Action, seeded.actions["4.1"])
        assert action is not None
        record_progress(
            uow,
            as_person(seeded, "jane"),
            action,
            earlier(local, days=1),
            source="command",
            status=Status.AMBER,
            note="carers' forum moved to June",
        )
        uow.commit()
    [message] = ask(local, CHRIS, "theme 4")
    text = message.all_text()
    assert "4 Placement stability" in text
    assert "lead Chris Chair" in text
    assert "2 actions · *0%* complete · *1* overdue" in text
    assert "*4.1* Seek foster carers' views" in text
    assert ":large_orange_circle: At risk · due 31 May 2019 · Jane Doe" in text
    assert "_Latest update 15 May 2019 08:00 by Jane Doe_: “carers' forum moved to June”" in text
    assert "due 30 April 2019 · :warning: *11 working days overdue* · Omar Shah" in text
    assert "_No updates yet._" in text


def test_a_complete_action_in_a_theme_says_whether_its_impact_is_evidenced(
    local: LocalBot, seeded: Seeded
) -> None:
    def complete(**impact: Any) -> str:
        with local.services.uow() as uow:
            action = uow.session.scalar(select(Action).where(Action.ref == "4.1"))
            assert action is not None
            record_progress(
                uow,
                as_person(seeded, "jane"),
                action,
                local.clock.now(),
                source="command",
                status=Status.BLUE,
                note="carers' forum held",
                **impact,
            )
            uow.commit()
        [message] = ask(local, CHRIS, "theme 4")
        return message.all_text()

    assert ":large_blue_circle: Delivered, impact not yet evidenced · due 31 May 2019" in complete()
    evidenced = complete(impact=Impact.EVIDENCED, evidence="carers' survey: 40 replies")
    assert ":large_blue_circle: Delivered, impact evidenced · due 31 May 2019" in evidenced
    assert "not yet evidenced" not in evidenced


def test_theme_errors(local: LocalBot, seeded: Seeded) -> None:
    assert "There's no theme 9 on “Improvement Board”" in refused(local, CHRIS, "theme 9")
    assert "/board theme 4" in refused(local, CHRIS, "theme")


def test_history_newest_first_with_status_changes_notes_and_date_changes(
    local: LocalBot, seeded: Seeded
) -> None:
    with local.services.uow() as uow:
        action = uow.session.get(Action, seeded.actions["4.1"])
        assert action is not None
        jane = as_person(seeded, "jane")
        record_progress(
            uow, jane, action, earlier(local, days=3), source="command",
            status=Status.AMBER, note="survey slipped <!here>",
        )  # fmt: skip
        record_progress(
            uow, jane, action, earlier(local, days=2), source="thread",
            status=Status.GREEN, note="back on track & booked",
        )  # fmt: skip
        uow.commit()
    ask_date_change(local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "venue <!channel>")
    [message] = ask(local, OMAR, "history 4.1")
    text = message.all_text()
    assert "4.1 Seek foster carers' views" in text
    assert "*Updates* (3, newest first)" in text
    moved = text.index("_Asked to move the due date to 30 June 2019: venue &lt;!channel&gt;_")
    green = text.index(
        "*14 May 2019 08:00* — Jane Doe — :large_orange_circle: At risk → "
        ":large_green_circle: On track"
    )
    amber = text.index(
        "*13 May 2019 08:00* — Jane Doe — :white_circle: Not started → "
        ":large_orange_circle: At risk"
    )
    assert moved < green < amber
    assert "Asked the board to move" not in text  # the request, said once, not twice
    assert "“back on track &amp; booked”" in text
    assert "“survey slipped &lt;!here&gt;”" in text
    assert "*Date changes* (1, newest first)" in text
    assert "31 May 2019 → *30 June 2019* — “venue &lt;!channel&gt;” — asked by Jane Doe" in text
    assert "— *pending*" in text


def test_history_errors(local: LocalBot, seeded: Seeded) -> None:
    assert "There's no action 9.9 on “Improvement Board”" in refused(local, CHRIS, "history 9.9")
    assert "/board history 4.1" in refused(local, CHRIS, "history")
    text = ask(local, CHRIS, "history 5.1")[0].all_text()
    assert "*Updates* (0, newest first)" in text and "_No updates yet._" in text


# ---------------------------------------------------------------- meetings


def test_meetings_with_reminder_dates_and_changes(local: LocalBot, seeded: Seeded) -> None:
    with local.services.uow() as uow:
        uow.session.add_all(
            [
                MeetingChange(board_id=seeded.board_id, date=dt.date(2019, 7, 9), kind="cancelled"),
                MeetingChange(board_id=seeded.board_id, date=dt.date(2019, 6, 25), kind="added"),
            ]
        )
        board = uow.session.get(Board, seeded.board_id)
        assert board is not None
        board.paused_until = dt.date(2019, 5, 31)
        uow.commit()
    [message] = ask(local, MO, "meetings")
    text = message.all_text()
    assert "Meets second Tuesday of every month from 1 January 2019 at 10:00" in text
    assert (
        "• *Tuesday 11 June 2019* 10:00 — update window opens Tuesday 28 May 2019 · last call "
        "Monday 3 June 2019 · updates due Tuesday 4 June 2019 · pack Friday 7 June 2019"
    ) in text
    assert "• *Tuesday 25 June 2019* 10:00 _(added)_ — update window opens" in text
    assert "• ~Tuesday 9 July 2019~ — _cancelled_" in text
    assert "Reminders are paused until 31 May 2019." in text
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(lines) == 7  # six meetings and the cancelled one among them
    assert lines[0].startswith("• *Tuesday 11 June 2019*")
    assert lines[2].startswith("• ~Tuesday 9 July")


def test_meetings_when_none_are_set(local: LocalBot) -> None:
    seed_board(local, meetings=None)
    line = one_line(local, CHRIS, "meetings")
    assert line.startswith(":calendar: No meetings are coming up for Improvement Board.")


# ---------------------------------------------------------------- approve and decline


def test_approve_lists_pending_changes_with_buttons(local: LocalBot, seeded: Seeded) -> None:
    assert one_line(local, CHRIS, "approve") == (
        ":white_check_mark: No date changes are waiting on Improvement Board."
    )
    first = ask_date_change(local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed")
    second = ask_date_change(local, seeded, "omar", "4.2", dt.date(2019, 7, 31), "new provider")
    [message] = ask(local, CHRIS, "approve")
    text = message.all_text()
    assert "2 requests waiting · Use the buttons" in text
    assert f"*#{first}* · *4.1* Seek foster carers' views" in text
    assert "31 May 2019 → *30 June 2019* · asked by Jane Doe" in text
    assert [(b["action_id"], b["value"]) for b in buttons(message)] == [
        (ids.APPROVE_DATE_CHANGE, str(first)),
        (ids.DECLINE_DATE_CHANGE, str(first)),
        (ids.APPROVE_DATE_CHANGE, str(second)),
        (ids.DECLINE_DATE_CHANGE, str(second)),
    ]
    # A member sees the list but gets no buttons: only the chair decides.
    [listing] = ask(local, MO, "decline")
    assert "Only the board's chair can approve or decline these." in listing.all_text()
    assert not buttons(listing)


def test_decline_without_a_number_lists_and_says_how(local: LocalBot, seeded: Seeded) -> None:
    ask_date_change(local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed")
    [message] = ask(local, CHRIS, "decline no evidence yet")
    assert "give the request's number: `/board decline 12 &lt;reason&gt;`" in message.all_text()
    assert len(buttons(message)) == 2


def test_chair_approves_by_number_and_the_owner_is_told(local: LocalBot, seeded: Seeded) -> None:
    request_id = ask_date_change(
        local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed"
    )
    line = one_line(local, CHRIS, f"approve {request_id}")
    assert line == (
        f":white_check_mark: Approved #{request_id}: *4.1* Seek foster carers' views is now due "
        "30 June 2019 (was 31 May 2019). I've told Jane Doe."
    )
    assert due_date(local, seeded.actions["4.1"]) == dt.date(2019, 6, 30)
    told = local.emulator.wait_for_message(
        channel=local.emulator.dm_channel(JANE), from_bot=True, timeout=ANSWER_WITHIN
    )
    assert "4.1" in told.all_text()
    again = refused(local, CHRIS, f"approve #{request_id}")
    assert again == ":warning: That request was already approved."


def test_chair_declines_with_a_reason(local: LocalBot, seeded: Seeded) -> None:
    request_id = ask_date_change(
        local, seeded, "omar", "5.1", dt.date(2019, 9, 30), "audit team on leave"
    )
    line = one_line(local, CHRIS, f"decline {request_id} no evidence <!channel> yet")
    assert line == (
        f":no_entry_sign: Declined #{request_id}: *5.1* Audit supervision records stays due "
        "28 June 2019, not 30 September 2019. Reason: “no evidence @channel yet”. "
        "I've told Omar Shah."
    )
    assert due_date(local, seeded.actions["5.1"]) == dt.date(2019, 6, 28)
    local.emulator.wait_for_message(
        channel=local.emulator.dm_channel(OMAR), from_bot=True, timeout=ANSWER_WITHIN
    )


def test_only_the_chair_decides_and_unknown_numbers_are_refused(
    local: LocalBot, seeded: Seeded
) -> None:
    request_id = ask_date_change(
        local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed"
    )
    for user in (MO, JANE, ADA):
        line = refused(local, user, f"approve {request_id}")
        assert line == ":warning: Only the board's chair can approve or decline a date change."
    assert due_date(local, seeded.actions["4.1"]) == dt.date(2019, 5, 31)
    assert "I can't find that date change" in refused(local, CHRIS, "decline 999 no")
    assert "isn't a request number" in refused(local, CHRIS, "approve #x")


# ---------------------------------------------------------------- help, grammar, escaping


def test_help(local: LocalBot, seeded: Seeded) -> None:
    [message] = ask(local, MO, "help")
    assert message.text.startswith("*`/board`* — board status and approvals")
    assert "`/board history &lt;ref&gt;` — an action's updates" in message.text


def test_grammar_errors_are_one_friendly_line(local: LocalBot, seeded: Seeded) -> None:
    assert "did you mean `/board digest`" in refused(local, CHRIS, "digets")
    assert "type `/board help`" in refused(local, CHRIS, "frobnicate")
    assert refused(local, CHRIS, "overdue now")
    assert "I don't know “&lt;!channel&gt;”" in refused(local, CHRIS, "<!channel>")


def test_hostile_text_is_escaped_everywhere(local: LocalBot, seeded: Seeded) -> None:
    hostile = " ".join(HOSTILE)
    with local.services.uow() as uow:
        board = uow.session.get(Board, seeded.board_id)
        assert board is not None
        board.name = f"Board {hostile}"
        plan = uow.session.get(Plan, seeded.plan_id)
        assert plan is not None
        plan.title = f"Plan {hostile}"
        for theme in uow.session.scalars(select(Theme).where(Theme.plan_id == plan.id)):
            theme.title = f"{theme.title} {hostile}"
        for action in uow.session.scalars(select(Action).where(Action.plan_id == plan.id)):
            action.title = f"{action.title} {hostile}"
        action = uow.session.get(Action, seeded.actions["4.1"])
        assert action is not None
        record_progress(
            uow, as_person(seeded, "jane"), action, earlier(local, hours=3), source="command",
            status=Status.RED, note=f"note {hostile}",
        )  # fmt: skip
        uow.commit()
    ask_date_change(local, seeded, "jane", "4.1", dt.date(2019, 6, 30), f"reason {hostile}")
    seen = []
    for text in ("", "digest", "pack", "overdue", "theme 4", "meetings", "history 4.1", "approve"):
        messages = ask(local, CHRIS, text, count=None)
        check_limits(messages, CHRIS)
        seen += messages
    shown = "\n".join(text for m in seen for text in [m.text, *mrkdwn_texts(m.blocks)])
    for ping in HOSTILE:
        assert ping not in shown, ping
    assert "&lt;!channel&gt;" in shown and "&lt;@UOMAR00000|omar&gt;" in shown


def mrkdwn_texts(value: Any) -> list[str]:
    """Every mrkdwn text in blocks (plain_text is shown as typed: Slack never parses it)."""
    if isinstance(value, list):
        return [text for item in value for text in mrkdwn_texts(item)]
    if not isinstance(value, dict):
        return []
    if value.get("type") == "mrkdwn":
        return [value["text"]]
    return [text for item in value.values() for text in mrkdwn_texts(item)]


def test_approving_from_the_list_confirms_to_the_chair(local: LocalBot, seeded: Seeded) -> None:
    request_id = ask_date_change(
        local, seeded, "jane", "4.1", dt.date(2019, 6, 30), "survey delayed"
    )
    [listing] = ask(local, CHRIS, "approve")
    clicked = local.emulator.click(CHRIS, listing, ids.APPROVE_DATE_CHANGE, value=str(request_id))
    assert clicked.ok
    confirmation = local.emulator.wait_for_message(
        lambda m: m.is_ephemeral and "approved" in m.all_text().lower(), timeout=5
    )
    assert "4.1" in confirmation.all_text()
    jane_dm = local.emulator.dm_channel("UJANE00000")
    assert local.emulator.wait_for_message(
        lambda m: m.channel == jane_dm and "approved your new date" in m.all_text(), timeout=5
    )


def test_the_chair_may_type_the_board_name_without_quotes(local: LocalBot, seeded: Seeded) -> None:
    """Chris types the board's name as he would say it: no quotes, any case, no apostrophes;
    a name that is no board says which boards there are (not a command that can't list them)."""
    with local.services.uow() as uow:
        create_board(uow, as_person(seeded, "ada"), "Children's Board", local.clock.now())
        uow.commit()
    assert "Improvement Board — status" in ask(local, CHRIS, "improvement board")[0].all_text()
    assert "Children's Board — status" in ask(local, ADA, "childrens board")[0].all_text()
    digest = ask(local, CHRIS, "digest Improvement Board", count=None)
    assert "Improvement Board — digest" in digest[0].all_text()
    assert "4.1" in ask(local, CHRIS, "theme 4 Improvement Board")[0].all_text()

    line = refused(local, CHRIS, "Improvment Board")
    assert "There's no board called “Improvment Board”" in line
    assert "the boards are “Improvement Board”, “Children's Board”" in line
    assert "/board meetings" not in line
