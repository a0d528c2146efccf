"""Reminder and escalation DMs: each action with due date, status and last update, and buttons."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from bot.core.calendar import local_date
from bot.render.buttons import action_buttons, show_measures_button
from bot.render.mrkdwn import (
    MESSAGE_TEXT_BUDGET,
    MESSAGE_TEXT_LIMIT,
    block_text_length,
    context,
    escape,
    section,
    shorten,
    status_badge,
    uk_date,
)
from bot.render.progress import measures_line
from bot.services.outbox import ReminderLine

ACTIONS_SHOWN = 15  # at most, with their buttons; the rest are named in one line
REFS_NAMED = 30  # in the "…and N more" line and the notification text
TITLE_LIMIT = 200
NOTE_LIMIT = 280
OWNERS_LIMIT = 150
REF_LIMIT = 20
MEASURES_LIMIT = 150  # of an action's measures; "Show all" beside them shows the rest
MORE_LINE_RESERVE = 1000  # block text kept back for the "…and N more" and evidence lines
EVIDENCE_ASKED = (
    ":mag: *What evidence is there against these measures?* Say what difference each action "
    "has made to children when you reply, or use *Update* to add it."
)

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
    refs = _refs([line.ref for line in _unique(lines)])
    if escalation:
        text = f"Escalation: overdue actions {refs} need attention"
    else:
        text = f"Improvement plan: {len(_unique(lines))} action(s) need your update ({refs})"
    return shorten(text, MESSAGE_TEXT_LIMIT)


def _unique(lines: list[ReminderLine]) -> list[ReminderLine]:
    return [next(group) for _, group in groupby(lines, key=lambda line: line.action_id)]


def _refs(refs: list[str]) -> str:
    named = ", ".join(shorten(ref, REF_LIMIT) for ref in refs[:REFS_NAMED])
    return f"{named} and {len(refs) - REFS_NAMED} others" if len(refs) > REFS_NAMED else named


def reminder_blocks(
    lines: list[ReminderLine], escalation: bool = False, note: str | None = None
) -> list[dict[str, Any]]:
    """The reminder's blocks, within the shared message budget: as many actions as fit (at
    most 15) with their buttons, then one line naming the rest. `note` says why an
    escalation comes here rather than to a theme lead or chair."""
    why_you = (
        f"{escape(note[:1].upper() + note[1:].rstrip('.'))}:"
        if note
        else "You're the theme lead or chair:"
    )
    intro = (
        f"These actions are *10 or more working days overdue*. {why_you}"
        if escalation
        else "Your improvement plan actions need an update. Reply in this thread to update one "
        "(start with its ref if there are several, e.g. `4.1 amber: survey slipped`), or use "
        "the buttons."
    )
    if note and not escalation:  # e.g. a deputy's: whom they cover
        intro = f"_{escape(note)}_\n{intro}"
    blocks: list[dict[str, Any]] = [section(intro)]
    used = block_text_length(blocks)
    # One section (and one set of buttons) per action, however many reasons it is due for:
    # Slack refuses a message whose block_ids repeat.
    by_action = [list(group) for _, group in groupby(lines, key=lambda line: line.action_id)]
    shown = 0
    for group in by_action[:ACTIONS_SHOWN]:
        action_blocks = _action_blocks(group, escalation)
        size = block_text_length(action_blocks)
        if shown and used + size > MESSAGE_TEXT_BUDGET - MORE_LINE_RESERVE:
            break
        blocks += action_blocks
        used += size
        shown += 1
    rest = by_action[shown:]
    if rest:
        more = escape(_refs([group[0].ref for group in rest]))
        blocks.append(section(f"…and {len(rest)} more: {more}. `/progress mine` lists all."))
    if not escalation and any(group[0].measures for group in by_action[:shown]):
        blocks.append(context(EVIDENCE_ASKED))
    return blocks


def _action_blocks(group: list[ReminderLine], escalation: bool) -> list[dict[str, Any]]:
    first = group[0]
    reasons = "; ".join(reason_text(line.reason, line.working_days) for line in group)
    owners = (
        f" · owners: {escape(shorten(', '.join(first.owner_names), OWNERS_LIMIT))}"
        if escalation
        else ""
    )
    text = (
        f"*{escape(shorten(first.ref, REF_LIMIT))}* {escape(shorten(first.title, TITLE_LIMIT))}\n"
        f"_{reasons}_ · due {uk_date(first.due, first.due_precision)} · "
        f"{status_badge(first.status)}{owners}"
    )
    block = section(text)
    if first.measures:
        line, cut = measures_line(first.measures, MEASURES_LIMIT)
        block = section(f"{text}\n{line}")
        if cut:
            block["accessory"] = show_measures_button(first.action_id)
    blocks = [block]
    if first.last_update_note:
        when = (
            f" ({uk_date(local_date(first.last_update_at, first.timezone))})"
            if first.last_update_at
            else ""
        )
        note = escape(shorten(first.last_update_note, NOTE_LIMIT))
        blocks.append(context(f"Last update{when}: {note}"))
    else:
        blocks.append(context("No update yet."))
    if not escalation:
        blocks.append(action_buttons(first.action_id))
    return blocks
