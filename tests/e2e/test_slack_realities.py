"""What real Slack does that a friendly emulator hides: slow or failing Web API calls during a
request, people with many actions, replies naming another action, deactivated people and
dead tokens."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.render import ids
from bot.render.buttons import action_buttons
from bot.sandbox import View
from bot.sandbox.local import LocalBot
from bot.services.plans import Actor, add_action, add_theme, person_by_name
from bot.services.progress import record_progress
from db.models import Action, Board, Person, Plan, ProgressUpdate
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

JANE, OMAR, CHRIS = "UJANE00000", "UOMAR00000", "UCHAIR0000"
NEWCOMER = "UNEWCOMER"
# Slack shows the person "operation_timeout" when the app has not acked within 3 seconds.
ACK_WELL_WITHIN = 2.0
START_NOW = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)


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


# ---------------------------------------------------------------- an owner of many actions


def owner_of_many(local: LocalBot, board: Seeded, count: int) -> int:
    """Give Jane `count` more actions, all due before 4.1's new date; returns 4.1's id, now
    due after every one of them."""
    with local.services.uow() as uow:
        admin = Actor(board.workspace_id, board.people["ada"])
        plan = uow.session.get(Plan, board.plan_id)
        assert plan is not None
        add_theme(uow, admin, plan, "6", "Many small actions", START_NOW)
        for n in range(count):
            add_action(
                uow,
                admin,
                plan,
                f"6.{n + 1}",
                f"Action number {n + 1}",
                START_NOW,
                due=dt.date(2019, 6, 1) + dt.timedelta(days=n),
                owner_ids=[board.people["jane"]],
            )
        last = uow.session.get(Action, board.actions["4.1"])
        assert last is not None
        last.due_date = dt.date(2020, 3, 31)
        uow.commit()
    return board.actions["4.1"]


def selected_action(view: View) -> tuple[str, list[str]]:
    select = next(
        b["element"] for b in view.blocks if b.get("block_id") == "action" and "element" in b
    )
    return select["initial_option"]["value"], [o["value"] for o in select["options"]]


def test_the_update_modal_opens_on_an_action_beyond_the_first_hundred(
    local: LocalBot, board: Seeded
) -> None:
    target = owner_of_many(local, board, 130)

    result = local.emulator.slash(JANE, "/progress", "4.1")

    assert result.status == 200
    view = local.emulator.wait_for(lambda: local.emulator.open_view(JANE), what="the update modal")
    initial, options = selected_action(view)
    assert initial == str(target) and options[0] == str(target)
    assert len(options) == 100


def test_the_update_button_opens_on_an_action_beyond_the_first_hundred(
    local: LocalBot, board: Seeded
) -> None:
    target = owner_of_many(local, board, 130)
    dm = local.emulator.dm_channel(JANE)
    local.slack.client.chat_postMessage(
        channel=dm, text="Update 4.1", blocks=[action_buttons(target)]
    )
    reminder = local.emulator.last_message(channel=dm)
    assert reminder is not None

    clicked = local.emulator.click(JANE, reminder, ids.UPDATE_ACTION)

    assert clicked.status == 200
    view = local.emulator.wait_for(lambda: local.emulator.open_view(JANE), what="the update modal")
    initial, options = selected_action(view)
    assert initial == str(target) and options[0] == str(target)


# ---------------------------------------------------------------- every message fits


def block_text(value: Any) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else block_text(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(block_text(v) for v in value)
    return 0


def test_every_message_fits_slack_with_long_titles_notes_and_names(
    local: LocalBot, board: Seeded
) -> None:
    long_name = "Alexandra " + "M" * 185  # with " <id>", near the 200 a name may have
    with local.services.uow() as uow:
        admin = Actor(board.workspace_id, board.people["ada"])
        plan = uow.session.get(Plan, board.plan_id)
        assert plan is not None
        for person_id in board.people.values():
            person = uow.session.get(Person, person_id)
            assert person is not None
            person.name = f"{long_name} {person_id}"
        add_theme(uow, admin, plan, "6", "T" * 3000, START_NOW, lead_id=board.people["chris"])
        for n in range(40):
            action = add_action(
                uow,
                admin,
                plan,
                f"6.{n + 1}",
                "A&E <-> CAMHS & <LA> " * 150,  # escaping makes it longer still
                START_NOW,
                due=dt.date(2019, 4, 1) + dt.timedelta(days=n),  # 10+ working days overdue
                owner_ids=[board.people[p] for p in ("jane", "omar", "mo")],
            )
            record_progress(
                uow,
                Actor(board.workspace_id, board.people["jane"]),
                action,
                START_NOW,
                source="cli",
                note="<A&E> & <CAMHS> <-> <LA> " * 120,
                check_permission=False,
            )
        uow.commit()

    for day in (dt.date(2019, 5, 16), dt.date(2019, 5, 20), dt.date(2019, 6, 7)):
        at = dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)
        local.run_jobs(at)
        local.run_jobs(at + dt.timedelta(minutes=1))

    posts = [c for c in local.emulator.calls_to("chat.postMessage") if c.status == 200]
    kinds = {
        (c.params.get("metadata") or {}).get("event_payload", {}).get("key", "").split(":")[0]
        for c in posts
    }
    assert {"reminder", "escalation", "digest", "pack"} <= kinds, kinds
    for call in posts:
        blocks = call.params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        assert call.ok, call.response
        assert len(blocks) <= 50
        assert block_text(blocks) <= 11_000, (call.params.get("text"), block_text(blocks))
        assert len(call.params.get("text") or "") <= 3000


def test_the_pack_notification_text_escapes_the_board_name(local: LocalBot, board: Seeded) -> None:
    with local.services.uow() as uow:
        row = uow.session.get(Board, board.board_id)
        assert row is not None
        row.name = "Children & Families <!channel>"
        uow.commit()

    local.run_jobs(dt.datetime(2019, 6, 7, 8, 0, tzinfo=dt.UTC))  # the pack before 11 June

    packs = [
        c
        for c in local.emulator.calls_to("chat.postMessage")
        if "pack" in str(c.params.get("metadata"))
    ]
    assert packs
    for call in packs:
        assert "<!channel>" not in call.params["text"]
        assert "Children &amp; Families &lt;!channel&gt;" in call.params["text"]


def test_plan_people_with_hundreds_unlinked_comes_in_parts_slack_accepts(
    local: LocalBot, board: Seeded
) -> None:
    with local.services.uow() as uow:
        admin = Actor(board.workspace_id, board.people["ada"])
        plan = uow.session.get(Plan, board.plan_id)
        assert plan is not None
        add_theme(uow, admin, plan, "7", "Many owners", START_NOW)
        for n in range(300):
            person = person_by_name(
                uow,
                board.workspace_id,
                f"Owner Number {n} of the Improvement Plan",
                title="Head of Service for Children's Social Care & Early Help",
            )
            add_action(
                uow,
                admin,
                plan,
                f"7.{n + 1}",
                f"Action {n}",
                START_NOW,
                due=dt.date(2019, 9, 30),
                owner_ids=[person.id],
            )
        uow.commit()

    result = local.emulator.slash("UADMIN0000", "/plan", "people")

    result.wait_for_response(count=2)
    local.settle()  # any further parts
    answers = result.responses
    assert 2 <= len(answers) <= 5
    for answer in answers:
        assert len(answer.blocks) <= 50
        assert block_text(answer.blocks) <= 11_000
    everything = "\n".join(a.all_text() for a in answers)
    assert "300 owners not linked" in everything
    assert "Owner Number 0 of" in everything
