"""The Challenge button in `/board theme`, `overdue` and `history`: only for people who may
challenge, and never past Slack's limits however long the list."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from bot.core.board_status import ActionRow, StatusCounts, Who
from bot.core.digest import ChallengeLine, OverdueAction, OwingEvidence
from bot.render import ids
from bot.render.board import (
    Rendered,
    history_messages,
    overdue_messages,
    theme_messages,
)
from bot.render.buttons import CHALLENGE_BUTTONS
from bot.render.digest import pack_blocks
from bot.render.outbox import outgoing
from bot.services.board_views import ActionHistory, BoardInfo, OverdueList, ThemeDetail
from bot.services.outbox_messages import PackMessage
from tests.unit.test_digest_render import assert_valid_messages, small_pack

BOARD = BoardInfo(1, "Improvement Board", "Europe/London", dt.date(2019, 5, 16))
JANE = Who("Jane Doe", "UJANE00000")


def row(n: int) -> ActionRow:
    return ActionRow(
        id=100 + n,
        plan_id=1,
        plan="Plan",
        board_id=1,
        board=BOARD.name,
        timezone=BOARD.timezone,
        theme_id=4,
        theme_ref="4",
        ref=f"4.{n}",
        title=f"Action number {n} " + "x" * 100,
        status="amber",
        due=dt.date(2019, 5, 31),
        due_precision="day",
        owners=(JANE,),
    )


def theme(n: int, can_challenge: bool) -> ThemeDetail:
    rows = tuple(row(i) for i in range(1, n + 1))
    counts = StatusCounts(amber=n)
    return ThemeDetail(BOARD, "Plan", "4", "Placements", None, counts, rows, can_challenge)


def buttons(messages: list[Rendered]) -> list[str]:
    return [
        block["accessory"]["value"]
        for m in messages
        for block in m.blocks
        if block.get("accessory", {}).get("action_id") == ids.CHALLENGE_ACTION
    ]


def test_a_short_theme_has_a_button_on_every_action() -> None:
    messages = theme_messages(theme(3, can_challenge=True))
    assert buttons(messages) == ["101", "102", "103"]
    assert "/board challenge" not in json.dumps([m.blocks for m in messages])


def test_a_long_theme_has_buttons_on_the_first_actions_and_says_how_to_ask_of_the_rest() -> None:
    messages = theme_messages(theme(60, can_challenge=True))

    assert buttons(messages) == [str(100 + i) for i in range(1, CHALLENGE_BUTTONS + 1)]
    text = json.dumps([m.blocks for m in messages])
    assert "4.60" in text  # every action is still listed
    assert "/board challenge &lt;ref&gt;" in text
    assert all(len(m.blocks) <= 50 for m in messages)


def test_no_buttons_for_someone_who_may_not_challenge() -> None:
    assert buttons(theme_messages(theme(3, can_challenge=False))) == []
    item = OverdueAction("4.2", "Review", dt.date(2019, 4, 30), "day", "red", (JANE,), 12, "4", 7)
    assert buttons(overdue_messages(OverdueList(BOARD, (item,), False))) == []
    assert buttons(overdue_messages(OverdueList(BOARD, (item,), True))) == ["7"]


def test_the_history_has_one_button_for_its_action() -> None:
    history = ActionHistory(
        BOARD, "4.1", "Seek views", "amber", None, "day", None, (JANE,), (), 0, ()
    )
    assert buttons(history_messages(history)) == []
    may = replace(history, action_id=101, can_challenge=True)
    assert buttons(history_messages(may)) == ["101"]


def pack_buttons(messages: list[list[dict[str, object]]]) -> list[str]:
    return [
        block["accessory"]["value"]  # type: ignore[index]
        for blocks in messages
        for block in blocks
        if isinstance(block.get("accessory"), dict)
        and block["accessory"].get("action_id") == ids.CHALLENGE_ACTION  # type: ignore[union-attr]
    ]


def test_the_pack_offers_a_challenge_on_its_exception_lists_within_the_cap() -> None:
    asked = tuple(
        ChallengeLine(f"C{n}", f"4.{n}", "Title", "open", "Why?", "asked today", action_id=n)
        for n in range(1, 16)
    )
    quiet = tuple(
        OwingEvidence(f"5.{n}", "Title", "5", (JANE,), "Not assessed", action_id=100 + n)
        for n in range(1, 11)
    )
    pack = replace(small_pack(), challenges=asked, without_impact=quiet)

    offered = pack_blocks(pack, can_challenge=True)
    first = [str(n) for n in range(1, 16)] + [str(n) for n in range(101, 106)]
    assert pack_buttons(offered) == first
    assert len(pack_buttons(offered)) == CHALLENGE_BUTTONS
    assert "/board challenge &lt;ref&gt;" in json.dumps(offered)
    assert "5.10" in json.dumps(offered)  # every line is still there
    assert_valid_messages(offered)
    assert pack_buttons(pack_blocks(pack)) == []


def step_buttons(messages: list[list[dict[str, object]]]) -> list[tuple[str, str]]:
    return [
        (str(element["action_id"]), str(element["value"]))
        for blocks in messages
        for block in blocks
        if block.get("type") == "actions"
        for element in block["elements"]  # type: ignore[attr-defined]
        if element["action_id"] in (ids.CLOSE_CHALLENGE, ids.FOLLOW_UP_CHALLENGE)
    ]


def test_an_answered_challenge_offers_close_and_follow_up_instead_of_challenge() -> None:
    lines = (
        ChallengeLine(
            "C1", "4.1", "T", "open", "Why?", "asked today", action_id=41, challenge_id=1
        ),
        ChallengeLine(
            "C2", "4.2", "T", "answered", "Why?", "answered today", answer="Because",
            action_id=42, challenge_id=2,
        ),
    )  # fmt: skip
    pack = replace(small_pack(), challenges=lines)

    chair = pack_blocks(pack, can_challenge=True, can_close=True)
    assert pack_buttons(chair) == ["41"]
    assert step_buttons(chair) == [(ids.CLOSE_CHALLENGE, "2"), (ids.FOLLOW_UP_CHALLENGE, "2")]
    member = pack_blocks(pack, can_challenge=True)
    assert pack_buttons(member) == ["41", "42"]
    assert step_buttons(member) == []


def test_many_answered_challenges_keep_the_pack_within_slacks_limits() -> None:
    answered = tuple(
        ChallengeLine(
            f"C{n}", f"4.{n}", "Title " + "y" * 200, "answered", "Why? " * 50, "answered today",
            answer="Because " * 60, action_id=n, challenge_id=n,
        )
        for n in range(1, 41)
    )  # fmt: skip
    pack = replace(small_pack(), challenges=answered)

    offered = pack_blocks(pack, can_challenge=True, can_close=True)
    assert len(step_buttons(offered)) == 2 * CHALLENGE_BUTTONS
    assert "4.40" in json.dumps(offered)
    assert "/board challenge &lt;ref&gt;" in json.dumps(offered)
    assert_valid_messages(offered)


def test_the_posted_pack_carries_the_challenge_buttons() -> None:
    asked = (
        ChallengeLine(
            "C1", "4.1", "T", "open", "Why?", "asked today", action_id=41, challenge_id=1
        ),
        ChallengeLine(
            "C2", "4.2", "T", "answered", "Why?", "answered today", answer="Because",
            action_id=42, challenge_id=2,
        ),
    )  # fmt: skip
    pack = replace(small_pack(), challenges=asked)

    posted = outgoing(PackMessage(pack, pack.meeting, []))

    assert pack_buttons(posted.parts) == ["41"]
    assert step_buttons(posted.parts) == [
        (ids.CLOSE_CHALLENGE, "2"),
        (ids.FOLLOW_UP_CHALLENGE, "2"),
    ]
