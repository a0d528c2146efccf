from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.render.reminders import reminder_blocks
from bot.services.outbox import ReminderLine


def line(action_id: int, ref: str, reason: str, days: int, note: str | None = None) -> ReminderLine:
    return ReminderLine(
        action_id=action_id,
        ref=ref,
        title=f"<!channel> Action {ref}",
        due="2019-05-31",
        due_precision="month",
        status="amber",
        reason=reason,
        working_days=days,
        last_update_note=note,
        last_update_at=dt.datetime(2019, 5, 1, 9, 0, tzinfo=dt.UTC) if note else None,
    )


def test_one_action_due_for_two_reasons_is_one_section_with_one_set_of_buttons() -> None:
    blocks = reminder_blocks(
        [
            line(1, "4.1", "due_soon", 3),
            line(1, "4.1", "meeting_window", 5),
            line(2, "4.2", "overdue", 10, note="<@U000000123> survey & audit"),
        ]
    )
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert block_ids == ["action_buttons_1", "action_buttons_2"]
    texts = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert texts.count("*4.1*") == 1
    assert "due in 3 working days" in texts and "board update wanted" in texts
    assert "&lt;!channel&gt;" in texts and "<!channel>" not in texts
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert any("&lt;@U000000123&gt; survey &amp; audit" in c for c in contexts)


def test_due_today_and_last_call_wording() -> None:
    blocks = reminder_blocks(
        [line(1, "4.1", "due_soon", 0), line(1, "4.1", "meeting_last_call", 1)]
    )
    text = blocks[1]["text"]["text"]
    assert "due today" in text and "due tomorrow" in text


def test_the_last_update_is_dated_in_the_boards_time_zone() -> None:
    """An update at 00:30 BST on 16 May is 23:30 UTC on the 15th: the reminder says the 16th."""
    just_after_midnight = dt.datetime(2019, 5, 15, 23, 30, tzinfo=dt.UTC)
    dated = replace(
        line(1, "4.1", "due_soon", 3, note="survey sent"), last_update_at=just_after_midnight
    )
    [context] = [b for b in reminder_blocks([dated]) if b["type"] == "context"]
    assert context["elements"][0]["text"] == "Last update (16 May 2019): survey sent"
