"""`/plan` end to end: signed slash commands to the real Bolt app over HTTP, the local Slack
emulator answering its Web API calls, and the database checked through the use cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.core.importer import read_plan
from bot.core.reminder_policy import policy_from_overrides
from bot.sandbox.local import LocalBot
from bot.services.plans import find_board, find_plan
from bot.services.snapshot import plan_snapshots
from db.models import AuditEvent, Board, Person, RoleGrant
from tests.e2e.conftest import START
from tests.e2e.seed import seed_board

pytestmark = pytest.mark.e2e

ADA, CHRIS, JANE, OMAR, MO = "UADMIN0000", "UCHAIR0000", "UJANE00000", "UOMAR00000", "UMEMBER000"


def at(user_id: str) -> str:
    """A mention as Slack sends it in command text (the manifest sets should_escape)."""
    return f"<@{user_id}|{user_id.lower()}>"


def plan(local: LocalBot, user_id: str, text: str, channel: str | None = None) -> str:
    """Run `/plan text` as the user and return the bot's ephemeral answer."""
    result = local.emulator.slash(user_id, "/plan", text, channel_id=channel)
    assert result.ok, result.body
    (answer,) = result.wait_for_response(timeout=5)
    assert answer.ephemeral_to == user_id
    return answer.all_text()


def snapshot(local: LocalBot) -> list[dict[str, Any]]:
    with local.services.uow() as uow:
        return plan_snapshots(uow)


def board_row(local: LocalBot, name: str | None = None) -> dict[str, Any]:
    with local.services.uow() as uow:
        workspace = uow.session.scalar(select(Board.workspace_id))
        assert workspace is not None
        board = find_board(uow, workspace, name)
        return {
            "name": board.name,
            "chair": board.chair.slack_user_id if board.chair else None,
            "channel": board.channel_id,
            "rule": board.meeting_rule,
            "start": board.meeting_start,
            "time": board.meeting_time,
            "policy": policy_from_overrides(board.reminder_policy),
            "paused_until": board.paused_until,
            "changes": [(c.date, c.kind) for c in board.meeting_changes],
        }


def count(local: LocalBot, model: Any) -> int:
    with local.services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBot]:
    """One seeded bot shared by tests that must change nothing."""
    database = tmp_path_factory.mktemp("plan") / "e2e.db"
    with LocalBot(f"sqlite:///{database}", ManualClock(START)) as running:
        seed_board(running)
        yield running


def test_an_admin_builds_a_whole_plan_with_plan_alone(local: LocalBot) -> None:
    answer = plan(local, ADA, "setup")
    assert "first admin" in answer and "/plan board create" in answer

    answer = plan(
        local,
        ADA,
        f'board create "Improvement Board" chair {at(CHRIS)} '
        "channel <#CBOARD0000|improvement-board>",
    )
    assert "Created the board “Improvement Board”" in answer
    assert "<@UCHAIR0000>" in answer and "<#CBOARD0000>" in answer
    assert "invite me" not in answer  # the bot is in #improvement-board

    # 08:00 on Thursday 16 May 2019 in London: May's second Tuesday has passed.
    answer = plan(local, ADA, "board meetings second Tuesday monthly at 14:00")
    assert "second Tuesday of every month from 11 June 2019 at 14:00" in answer
    assert "Next meetings: 11 June 2019, 9 July 2019, 13 August 2019." in answer
    answer = plan(local, ADA, "board meeting cancel 13/08/2019")
    assert "Next meetings: 11 June 2019, 9 July 2019, 10 September 2019." in answer
    answer = plan(local, ADA, "board meeting add 20/08/2019")
    assert "meets on 20 August 2019 at 14:00" in answer
    answer = plan(local, ADA, "board reminders due=5,1 overdue=3")
    assert "Changed due and overdue" in answer and "due soon at 5, 1 working days" in answer
    answer = plan(local, ADA, "board reminders pause until 24/05/2019")
    assert "paused until 24 May 2019" in answer
    answer = plan(local, ADA, "board reminders resume")
    assert "back on" in answer

    answer = plan(local, ADA, 'new "Children\'s Services Improvement Plan"')
    assert "Started the plan “Children's Services Improvement Plan” on Improvement Board" in answer
    answer = plan(local, ADA, f'theme add 4 "Placement stability" lead {at(CHRIS)}')
    assert "Added theme 4 “Placement stability”, led by <@UCHAIR0000>" in answer
    answer = plan(
        local,
        ADA,
        f'action add 4.1 "Ensure foster carers\' views are sought" due May-19 '
        f'owner {at(JANE)} {at(OMAR)} measures "Feedback from carer events"',
    )
    assert "Added 4.1" in answer and "due May 2019" in answer
    assert "owned by <@UJANE00000> and <@UOMAR00000>" in answer
    answer = plan(local, ADA, 'action edit 4.1 due 30/06/2019 title "Seek <!channel> views"')
    assert "due date 31 May 2019 → 30 June 2019" in answer
    assert "&lt;!channel&gt;" in answer and "<!channel>" not in answer
    answer = plan(local, ADA, f"action owner 4.1 {at(JANE)}")
    assert "4.1 is now owned by <@UJANE00000>" in answer
    answer = plan(local, ADA, f"action delegate 4.1 {at(OMAR)}")
    assert "<@UOMAR00000> can now update 4.1" in answer

    # What the database holds, through the read model the CLI shows.
    (shown,) = snapshot(local)
    assert shown["title"] == "Children's Services Improvement Plan"
    assert shown["board"] == "Improvement Board"
    (theme,) = shown["themes"]
    assert (theme["ref"], theme["title"]) == ("4", "Placement stability")
    (action,) = theme["actions"]
    assert action == {
        "ref": "4.1",
        "title": "Seek <!channel> views",
        "due": "2019-06-30",
        "due_precision": "day",
        "due_text": None,
        "status": "not_started",
        "measures": "Feedback from carer events",
        "owners": [{"name": "Jane Doe", "title": "Head of Fostering", "slack_user": "UJANE00000"}],
        "latest_update": None,
        "fields": {},
        "impact": {
            "judgement": None,
            "evidence": None,
            "delivered": False,
            "evidenced": False,
            "owes_evidence": False,
            "headline": "Not started",
        },
        "movement": None,  # the read model without a moment: no movement or challenges
        "challenges": [],
    }
    board = board_row(local)
    assert board["chair"] == CHRIS and board["channel"] == "CBOARD0000"
    assert (board["rule"], board["start"], board["time"]) == (
        "FREQ=MONTHLY;BYDAY=+2TU",
        dt.date(2019, 6, 11),
        dt.time(14, 0),
    )
    assert board["changes"] == [
        (dt.date(2019, 8, 13), "cancelled"),
        (dt.date(2019, 8, 20), "added"),
    ]
    assert (board["policy"].due, board["policy"].overdue) == ((5, 1), 3)
    assert board["paused_until"] is None
    with local.services.uow() as uow:
        whats = list(uow.session.scalars(select(AuditEvent.what).order_by(AuditEvent.id)))
    assert whats == [
        "admin.setup",
        "board.create",
        "board.meetings",
        "board.meeting_cancel",
        "board.meeting_add",
        "board.reminders",
        "board.pause",
        "board.resume",
        "plan.create",
        "theme.add",
        "action.add",
        "action.edit",
        "action.owners",
        "action.delegate",
    ]

    # The export lands in the admin's DM (where the command was typed) and reads back.
    answer = plan(local, ADA, "export")
    assert "Uploaded `childrens-services-improvement-plan-2019-05-16.xlsx` here" in answer
    (file,) = local.emulator.files(channel=local.emulator.dm_channel(ADA))
    parsed = read_plan(file.content or b"", file.name)
    assert [(a.ref, a.title, a.due) for t in parsed.themes for a in t.actions] == [
        ("4.1", "Seek <!channel> views", dt.date(2019, 6, 30))
    ]


def test_setup_only_makes_the_first_admin(local: LocalBot) -> None:
    assert "first admin" in plan(local, JANE, "setup")
    assert "already an admin" in plan(local, JANE, "setup")
    answer = plan(local, OMAR, "setup")
    assert answer.startswith(":warning: This workspace already has admins")
    with local.services.uow() as uow:
        admins = uow.session.scalars(
            select(Person.slack_user_id)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(RoleGrant.role == "admin")
        ).all()
    assert admins == [JANE]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frobnicate", "frobnicate"),
        ("action add 4.3", "title"),
        ('action add 4.3 "Audit" due someday owner <@UJANE00000|jane>', "31/05/2019"),
        ('action add 4.3 "Audit" due 31/07/2019', "owner"),
        ('action add 9.1 "Audit" due 31/07/2019 owner <@UJANE00000|jane>', "Theme 9"),
        ('action add 4.1 "Again" due 31/07/2019 owner <@UJANE00000|jane>', "already exists"),
        ("action edit 4.1", "Say what to change"),
        ("action edit 7.7 due 31/07/2019", "no action 7.7"),
        ("action remove", "ref"),
        ('theme add 4 "Again"', "already exists"),
        ("board meetings every blue moon", "meeting cycle"),
        ("board meeting cancel 12/06/2019", "no meeting on 12 June 2019"),
        ("board meeting add 01/05/2019", "has passed"),
        ("board meeting add 20/06/2019 at 15:00", "start at 10:00"),
        ("board reminders loudness=11", "loudness"),
        ("board reminders due=90", "0 to 60"),
        ("board reminders updates_due=12", "updates_due ≤ window"),
        ("board reminders pause until 01/05/2019", "has passed"),
        ("board reminders resume", "aren't paused"),
        ('board create "Improvement Board"', "already a board"),
        ('board meetings "Nowhere" monthly', "no board called “Nowhere”"),
        ('new "Children\'s Services Improvement Plan"', "already has a plan"),
        ("export pdf", "xlsx, csv or md"),
        ('people link "Nobody Atall" <@UJANE00000|jane>', "Nobody called “Nobody Atall”"),
        ("people link <@UJANE00000|jane>", "name"),
        (f"admins remove {at(ADA)}", "last admin"),
        ('archive "No such plan"', "no plan called"),
        ("members add", "person"),
    ],
)
def test_each_mistake_gets_one_friendly_line_and_changes_nothing(
    seeded: LocalBot, text: str, expected: str
) -> None:
    local = seeded
    before = (snapshot(local), board_row(local), count(local, AuditEvent))
    answer = plan(local, ADA, text)
    assert answer.startswith(":warning: ")
    assert "\n" not in answer
    assert expected in answer
    assert (snapshot(local), board_row(local), count(local, AuditEvent)) == before


def test_mistakes_quoting_what_was_typed_never_ping(local: LocalBot) -> None:
    seed_board(local)
    answer = plan(local, ADA, 'board meetings "<!channel>" monthly')
    assert "&lt;!channel&gt;" in answer and "<!channel>" not in answer


def test_help(local: LocalBot) -> None:
    answer = plan(local, MO, "")
    assert "/plan board create" in answer and "/plan people link" in answer
    assert "/plan action" in plan(local, MO, "help action")


def test_people_lists_unlinked_owners_and_links_them(local: LocalBot) -> None:
    seed = seed_board(local)
    local.emulator.add_user("USAM000000", "sam", "Sam Smith", "sam.smith@council.example")
    with local.services.uow() as uow:
        from bot.services.plans import Actor, find_action, person_by_name, set_owners

        admin = Actor(seed.workspace_id, seed.people["ada"])
        sheet_plan = find_plan(uow, seed.workspace_id, None)
        sam = person_by_name(uow, seed.workspace_id, "Sam Smith", "Head of Quality")
        jd = person_by_name(uow, seed.workspace_id, "J. Doe")
        set_owners(
            uow, admin, find_action(uow, sheet_plan, "4.2"), [sam.id, jd.id], local.clock.now()
        )
        set_owners(uow, admin, find_action(uow, sheet_plan, "5.1"), [sam.id], local.clock.now())
        uow.commit()

    answer = plan(local, ADA, "people")
    assert "2 owners not linked to Slack yet" in answer
    assert '• J. Doe — 4.2: `/plan people link "J. Doe" @someone`' in answer
    assert "• Sam Smith (Head of Quality) — 4.2, 5.1" in answer

    answer = plan(local, ADA, 'people link "sam smith" <@USAM000000|sam>')
    assert (
        "Linked “Sam Smith” to <@USAM000000>: reminders for their 2 actions go to them now."
        in answer
    )
    # Jane already uses the bot: "J. Doe" becomes her, taking 4.2 with them.
    answer = plan(local, ADA, f'people link "J. Doe" {at(JANE)}')
    assert "<@UJANE00000> was already in the plan as “Jane Doe”" in answer
    assert "merged “J. Doe” into them: 1 action moved over" in answer
    answer = plan(local, ADA, f'people link "Sam Smith" {at(OMAR)}')
    assert answer.startswith(":warning: “Sam Smith” is already linked to another Slack user")

    assert "Every owner in the plan is linked" in plan(local, ADA, "people")
    owners = {
        a["ref"]: [o["slack_user"] for o in a["owners"]]
        for t in snapshot(local)[0]["themes"]
        for a in t["actions"]
    }
    assert owners == {"4.1": [JANE], "4.2": ["USAM000000", JANE], "5.1": ["USAM000000"]}


def test_roles_by_slack_user(local: LocalBot) -> None:
    seed_board(local)
    assert "<@UJANE00000> is now a plan admin" in plan(local, ADA, f"admins add {at(JANE)}")
    assert "already a plan admin" in plan(local, ADA, f"admins add {at(JANE)}")
    assert "no longer a plan admin" in plan(local, JANE, f"admins remove {at(ADA)}")
    assert plan(local, ADA, 'new "Another"').startswith(":warning: Only a plan admin")
    answer = plan(local, JANE, f'members add {at(OMAR)} "Improvement Board"')
    assert "<@UOMAR00000> can now read the status of Improvement Board" in answer
    assert "no longer a member" in plan(local, JANE, f"members remove {at(MO)}")
    assert "isn't a member" in plan(local, JANE, f"members remove {at(MO)}")


def test_a_deactivated_or_bot_user_cannot_be_given_work(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.add_user("UGONE00000", "gone", "Gone Person", deleted=True)
    answer = plan(local, ADA, 'action add 4.3 "Audit" due 31/07/2019 owner <@UGONE00000|gone>')
    assert answer == ":warning: Gone Person's Slack account is deactivated; choose someone else."


def test_export_formats_and_where_they_go(local: LocalBot) -> None:
    seed_board(local)
    answer = plan(local, ADA, "export csv", channel="CBOARD0000")
    assert "Uploaded `childrens-services-improvement-plan-2019-05-16.csv` here" in answer
    assert "3 actions" in answer
    (csv_file,) = local.emulator.files(channel="CBOARD0000")
    assert csv_file.content is not None and b"Seek foster carers' views" in csv_file.content
    message = local.emulator.last_message(channel="CBOARD0000", include_ephemeral=False)
    assert message is not None and "exported 16 May 2019" in message.text

    # A channel the bot is not in: the file comes to the admin's DM instead.
    local.emulator.add_channel("CQUIET0000", "quiet", bot_is_member=False)
    answer = plan(local, ADA, 'export md "Children\'s Services Improvement Plan"', "CQUIET0000")
    assert "to our DM, as I'm not in <#CQUIET0000>" in answer
    (md_file,) = local.emulator.files(channel=local.emulator.dm_channel(ADA))
    assert md_file.name.endswith(".md") and b"4.2" in (md_file.content or b"")

    # Members read the plan, so they may export it; strangers may not.
    assert "Uploaded" in plan(local, MO, "export")
    local.emulator.add_user("USTRANGER", "stranger", "Stella Stranger")
    assert plan(local, "USTRANGER", "export").startswith(":warning: You're not on this board")


def test_archive_and_remove(local: LocalBot) -> None:
    seed_board(local)
    answer = plan(local, ADA, "action remove 4.2")
    assert "Removed 4.2 “Review placement sufficiency”" in answer
    assert [a["ref"] for t in snapshot(local)[0]["themes"] for a in t["actions"]] == ["4.1", "5.1"]
    answer = plan(local, ADA, "archive Children's Services Improvement Plan")
    assert "Archived “Children's Services Improvement Plan”" in answer
    with local.services.uow() as uow:
        workspace = uow.session.scalar(select(Board.workspace_id))
        assert workspace is not None
        assert not find_plan(uow, workspace, "Children's Services Improvement Plan").active
    assert "already archived" in plan(local, ADA, 'archive "Children\'s Services Improvement Plan"')


FUZZ_TEXT = (
    "setup board create meetings meeting add cancel reminders pause until resume new theme "
    "action edit owner owners delegate remove people link admins members export archive import "
    "help chair channel lead due title measures at 4 4.1 4.9 5 x 31/05/2019 May-19 2019-13-45 "
    "10:00 25:99 monthly second Tuesday every 6 weeks from due=10,3,0 overdue=0 window=1 "
    "updates_due=9 xlsx csv md pdf list move to plans"
)
WORDS = [
    *FUZZ_TEXT.split(),
    '"Improvement Board"',
    '"Children\'s Services Improvement Plan"',
    '"<!channel> & co"',
    '"',
    "“",
    "<@UJANE00000|jane>",
    "<@UNOBODY000|ghost>",
    "<#CBOARD0000|improvement-board>",
    "<!here>",
    "&lt;b&gt;",
    "\n",
]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBot]:
    database = tmp_path_factory.mktemp("fuzz") / "e2e.db"
    with LocalBot(f"sqlite:///{database}", ManualClock(START)) as running:
        seed_board(running)
        yield running


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(WORDS), max_size=8))
def test_no_text_makes_plan_fail(fuzzed: LocalBot, words: list[str]) -> None:
    """Whatever an admin types gets an answer of its own, never the apology for a crash."""
    result = fuzzed.emulator.slash(ADA, "/plan", " ".join(words))
    assert result.ok
    if words and words[0] == "import":
        return  # a modal, no message
    (reply,) = result.wait_for_response(timeout=5)
    assert reply.all_text().strip()
    assert "something went wrong" not in reply.all_text()
    assert "<!channel>" not in reply.all_text() and "<!here>" not in reply.all_text()


def test_every_plan_command_the_grammar_knows_has_a_handler() -> None:
    from typing import get_args

    from handlers.grammar import PlanCommand
    from handlers.plan import _HANDLERS

    assert set(get_args(PlanCommand)) == set(_HANDLERS)


def test_with_two_active_plans_theme_and_action_lines_name_their_plan(local: LocalBot) -> None:
    seed_board(local)
    second = '"SEND improvement plan"'
    local.emulator.slash(ADA, "/plan", f"new {second}").wait_for_response(timeout=5)
    unnamed = local.emulator.slash(ADA, "/plan", 'theme add 6 "Early help"')
    [refusal] = unnamed.wait_for_response(timeout=5)
    assert "several active plans" in refusal.all_text()
    named = local.emulator.slash(ADA, "/plan", f'theme add 6 "Early help" plan {second}')
    named.wait_for_response(timeout=5)
    added = local.emulator.slash(
        ADA,
        "/plan",
        f'action add 6.1 "Map early help" due 30/09/2019 owner <@UJANE00000|jane> plan {second}',
    )
    added.wait_for_response(timeout=5)
    with local.services.uow() as uow:
        plans = {p["title"]: p for p in plan_snapshots(uow)}
    send = plans["SEND improvement plan"]
    assert [(t["ref"], [a["ref"] for a in t["actions"]]) for t in send["themes"]] == [
        ("6", ["6.1"])
    ]
    assert all(t["ref"] != "6" for t in plans["Children's Services Improvement Plan"]["themes"])


def test_a_board_made_by_an_import_can_be_given_its_chair_and_channel(local: LocalBot) -> None:
    """Ada imports before creating a board, so the import makes one with no chair and no
    channel; `/plan help` shows how to give it both afterwards."""
    from tests.e2e.test_plan_import import council_sheet, dm_from_bot, open_import_form

    plan(local, ADA, "setup")
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "ILACS improvement plan.xlsx", council_sheet())
    assert local.emulator.submit_view(ADA, values={"plan_file": shared}).ok
    dm_from_bot(local, ADA)  # imported, onto a board made for it
    assert board_row(local)["chair"] is None
    assert "/plan board edit" in plan(local, ADA, "help board")

    channel = "<#CBOARD0000|improvement-board>"
    answer = plan(local, ADA, f"board edit chair {at(CHRIS)} channel {channel}")

    assert "Improvement Board: the chair is now <@UCHAIR0000>" in answer
    assert "digests and packs go to <#CBOARD0000>" in answer
    row = board_row(local)
    assert (row["chair"], row["channel"]) == (CHRIS, "CBOARD0000")
    assert "chair or channel" in plan(local, ADA, "board edit")
    assert "Only a plan admin" in plan(local, JANE, f"board edit chair {at(JANE)}")
