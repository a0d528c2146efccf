"""Reminder and escalation DMs: each action with due date, status and last update, and buttons."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from bot.core.outbox import ReminderLine
from bot.render.buttons import action_buttons
from bot.render.mrkdwn import context, escape, section, shorten, status_badge, uk_date

REASON_TEXT = {
    "due_soon": "due in {n} working days",
    "overdue": "overdue by {n} working days",
    "escalation": "overdue by {n} working days — escalated to you",
    "meeting_window": "board update wanted (updates due in {n} working days)",
    "meeting_last_call": "last call: board updates are due in {n} working day(s)",
}


def reason_text(reason: str, n: int | None) -> str:
    if reason == "due_soon" and n == 0:
        return "due today"
    if reason == "meeting_last_call" and n == 1:
        return "last call: board updates are due tomorrow"
    return REASON_TEXT.get(reason, reason).format(n=n)


def reminder_text(lines: list[ReminderLine], escalation: bool = False) -> str:
    """The notification text (shown in the phone notification and by screen readers)."""
    refs = ", ".join(line.ref for line in lines)
    if escalation:
        return f"Escalation: overdue actions {refs} need attention"
    return f"Improvement plan: {len(lines)} action(s) need your update ({refs})"


def reminder_blocks(lines: list[ReminderLine], escalation: bool = False) -> list[dict[str, Any]]:
    intro = (
        "These actions are *10 or more working days overdue*. You're the theme lead or chair:"
        if escalation
        else "Your improvement plan actions need an update. Reply in this thread to update one "
        "(start with its ref if there are several, e.g. `4.1 amber: survey slipped`), or use "
        "the buttons."
    )
    blocks: list[dict[str, Any]] = [section(intro)]
    # One section (and one set of buttons) per action, however many reasons it is due for:
    # Slack refuses a message whose block_ids repeat.
    by_action = [list(group) for _, group in groupby(lines, key=lambda line: line.action_id)]
    for group in by_action[:15]:
        first = group[0]
        reasons = "; ".join(reason_text(line.reason, line.working_days) for line in group)
        owners = f" · owners: {escape(', '.join(first.owner_names))}" if escalation else ""
        text = (
            f"*{escape(first.ref)}* {escape(shorten(first.title, 200))}\n"
            f"_{reasons}_ · due {uk_date(first.due, first.due_precision)} · "
            f"{status_badge(first.status)}{owners}"
        )
        blocks.append(section(text))
        if first.last_update_note:
            when = f" ({uk_date(first.last_update_at[:10])})" if first.last_update_at else ""
            blocks.append(
                context(f"Last update{when}: {escape(shorten(first.last_update_note, 280))}")
            )
        else:
            blocks.append(context("No update yet."))
        if not escalation:
            blocks.append(action_buttons(first.action_id))
    if len(by_action) > 15:
        more = ", ".join(escape(group[0].ref) for group in by_action[15:])
        blocks.append(
            section(f"…and {len(by_action) - 15} more: {more}. `/progress mine` lists all.")
        )
    return blocks
