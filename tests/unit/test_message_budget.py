"""Every message the bot builds fits what Slack accepts: at most 50 blocks, 3,000 characters
in a section, and a total of block text well under the ~12,000 characters above which Slack
answers `msg_blocks_too_long` (observed from 11,341)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.render.mrkdwn import (
    MESSAGE_TEXT_BUDGET,
    fit_message,
    section,
    take_within_budget,
    within_one_message,
)
from bot.render.reminders import reminder_blocks, reminder_text
from bot.services.outbox import ReminderLine

SLACK_REFUSES_ABOVE = 11_000  # block text; the lowest limit seen was 11,341
LONG_NAME = "Alexandra " + "M" * 190  # 200 characters
LONG_NOTE = "Carers' forum & survey <!channel> " * 90  # over 3,000 characters
LONG_TITLE = "Ensure foster carers' views are actively sought and acted on " * 50


def block_text(value: Any) -> int:
    """Characters of text in blocks, as Slack counts towards msg_blocks_too_long."""
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else block_text(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(block_text(v) for v in value)
    return 0


def assert_slack_accepts(blocks: list[dict[str, Any]], text: str) -> None:
    assert len(blocks) <= 50
    assert block_text(blocks) <= SLACK_REFUSES_ABOVE, block_text(blocks)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert len(text) <= 3000


def lines(count: int, *, owners: int = 1) -> list[ReminderLine]:
    return [
        ReminderLine(
            action_id=n,
            ref=f"{n // 10 + 1}.{n % 10 + 1}",
            title=LONG_TITLE,
            due="2019-05-31",
            due_precision="day",
            status="amber",
            reason=reason,
            working_days=12,
            last_update_note=LONG_NOTE,
            last_update_at=dt.datetime(2019, 5, 1, 9, 0, tzinfo=dt.UTC),
            owner_names=tuple(f"{LONG_NAME} {i}" for i in range(owners)),
            measures="<!channel> & " + "every review on time " * 200,
        )
        for n in range(count)
        for reason in ("overdue", "meeting_window")
    ]


@pytest.mark.parametrize("count", [1, 15, 16, 40, 2000])
def test_a_reminder_fits_whatever_its_actions_say(count: int) -> None:
    reminder = lines(count)
    assert_slack_accepts(reminder_blocks(reminder), reminder_text(reminder))


@pytest.mark.parametrize("count", [1, 15, 40, 2000])
def test_an_escalation_fits_with_many_long_owner_names(count: int) -> None:
    escalation = lines(count, owners=12)
    assert_slack_accepts(
        reminder_blocks(escalation, escalation=True), reminder_text(escalation, escalation=True)
    )


def test_a_trimmed_reminder_still_names_every_action_it_leaves_out() -> None:
    reminder = lines(40)
    blocks = reminder_blocks(reminder)
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    shown = {line.ref for line in reminder if f"*{line.ref}*" in text}
    assert shown  # at least the first
    assert "more" in text and "`/progress mine`" in text
    left_out = 40 - len(shown)
    assert f"…and {left_out} more" in text


def test_the_last_guard_splits_a_message_that_would_be_refused() -> None:
    blocks = [section("x" * 3000) for _ in range(120)]
    parts = fit_message(blocks)
    assert [b for part in parts for b in part] == blocks
    for part in parts:
        assert len(part) <= 50 and block_text(part) <= MESSAGE_TEXT_BUDGET
    assert fit_message(blocks[:2]) == [blocks[:2]]


def test_a_message_that_must_stay_one_is_cut_to_the_budget() -> None:
    buttons = {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Approve"}, "action_id": "a"}
        ],
    }
    message = {"text": "t", "blocks": [section("x" * 3000) for _ in range(5)] + [buttons]}
    [within] = [within_one_message(message)]
    assert len(within["blocks"]) == 6 and within["blocks"][-1] == buttons
    assert MESSAGE_TEXT_BUDGET - 10 <= block_text(within["blocks"]) <= MESSAGE_TEXT_BUDGET
    assert message["blocks"][0]["text"]["text"] == "x" * 3000  # the original is left alone
    small = {"text": "t", "blocks": [section("fine")]}
    assert within_one_message(small) is small


def test_a_list_takes_as_many_items_as_fit_and_says_how_many_more() -> None:
    head = [section("Your actions")]
    items = [[section(f"{n} " + "y" * 2500)] for n in range(15)]

    def more(shown: int) -> list[dict[str, Any]]:
        return [section(f"…and {15 - shown} more")] if shown < 15 else []

    blocks = take_within_budget(head, items, more)
    assert block_text(blocks) <= MESSAGE_TEXT_BUDGET
    assert blocks[:4] == head + items[0] + items[1] + items[2]
    assert blocks[-1] == section("…and 12 more")
    assert take_within_budget(head, items[:2], lambda shown: []) == head + items[0] + items[1]
