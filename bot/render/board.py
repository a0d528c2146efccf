"""What `/board` answers, as Block Kit: status by theme, overdue, one theme, meetings, an
action's history, date changes waiting for the chair, decisions, and digest / pack previews.

Each view is a list of messages (`Rendered`), each within Slack's limits (50 blocks, 3,000
characters a section); a long view is split, and messages after the first start with a
"continued" line. Every piece of user text — board, plan, theme and action names, people's
names, notes, reasons — is escaped before it goes into mrkdwn, so nothing typed can ping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.core.board_status import ActionRow, ThemeStatus, Who
from bot.core.calendar import zone
from bot.core.dates import format_day, format_moment
from bot.core.digest import DateChangeRow, Digest, Pack, PendingDateChange
from bot.core.statuses import STATUS_EMOJI, Status
from bot.render.buttons import challenge_button, date_change_buttons, with_challenges
from bot.render.digest import digest_blocks, digest_fallback_text, pack_blocks, pack_fallback_text
from bot.render.mrkdwn import (
    BLOCK_LIMIT,
    FROM_THE_SHEET,
    MESSAGE_TEXT_BUDGET,
    context,
    delivery_badge,
    divider,
    escape,
    header,
    section,
    sections_from_lines,
    shorten,
    split_blocks,
    status_badge,
    status_counts,
    uk_date,
)
from bot.services.board_views import (
    ActionHistory,
    BoardStatus,
    Decision,
    MeetingLine,
    MeetingsView,
    OverdueList,
    PendingList,
    ThemeDetail,
    UpdateEntry,
)
from bot.services.progress import DATE_REQUEST_NOTE, IMPORTED

Block = dict[str, Any]

# Slack accepts five posts to one command's response_url.
REPLY_LIMIT = 5
TITLE_LIMIT = 150
NAMES_LIMIT = 100
NOTE_LIMIT = 500
REASON_LIMIT = 300


@dataclass(frozen=True)
class Rendered:
    """One Slack message: mrkdwn `text` (already escaped; the notification fallback when
    there are blocks) and its blocks."""

    text: str
    blocks: list[Block]


# ---------------------------------------------------------------- shared wording


def _t(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """User text for mrkdwn: shortened first, so escaping never cuts an entity in half."""
    return escape(shorten(text, limit))


def _names(people: Iterable[Who], none: str = "no owner") -> str:
    names = [w.name for w in people]
    return _t(", ".join(names), NAMES_LIMIT) if names else none


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _local(value: dt.datetime, tz: str) -> dt.datetime:
    return value.astimezone(zone(tz))


def _moment(value: dt.datetime, tz: str) -> str:
    return format_moment(value, tz)


def _day(value: dt.date) -> str:
    """`Tuesday 28 May 2019`."""
    return format_day(value, weekday=True)


def _badge(status: str | None) -> str:
    return status_badge(status) if status else "no status"


def _delivery(a: ActionRow) -> str:
    """The action's status; a complete one says whether its impact is evidenced, since
    delivered is not the same as done ("Delivered, impact not yet evidenced")."""
    return delivery_badge(a.status, a.impact, a.evidence)


def _update_badge(status: str | None) -> str:
    """A status an update gave: complete reads "Delivered" (the action's impact is said
    where its state is shown, never plain done)."""
    if status == Status.BLUE.value:
        return f"{STATUS_EMOJI[Status.BLUE]} Delivered"
    return _badge(status)


def _paged(head: list[Block], body: list[Block], fallback: str, label: str) -> list[Rendered]:
    """Head and body blocks as messages within Slack's block limit; messages after the
    first start with a `label … (part n of m)` line."""
    # Leave room in each message for the "continued" line.
    chunks = split_blocks(head + body, BLOCK_LIMIT - 1, MESSAGE_TEXT_BUDGET - 200)
    total = len(chunks)
    messages = [Rendered(fallback, chunks[0])]
    for number, chunk in enumerate(chunks[1:], start=2):
        line = f"{label}, continued (part {number} of {total})"
        messages.append(Rendered(line, [context(line), *chunk]))
    return messages


def _single(text: str) -> list[Rendered]:
    return [Rendered(text, [])]


def left_out(first_missing: int, total: int) -> Rendered:
    """The note that ends an answer cut short: parts `first_missing`–`total` weren't shown."""
    parts = f"Part {total}" if first_missing == total else f"Parts {first_missing}–{total}"
    note = (
        f"_{parts} of {total} can't be shown here: Slack allows {REPLY_LIMIT} replies to a "
        "command, and I can't post in this conversation. Run the command in your direct "
        "messages with me to see it all; `/board theme &lt;ref&gt;` shows one theme._"
    )
    return Rendered(note, [context(note)])


# ---------------------------------------------------------------- status by theme


def _theme_status(t: ThemeStatus, with_plan: bool) -> Block:
    plan = f" _({_t(t.plan)})_" if with_plan else ""
    overdue = f" · :warning: *{t.overdue} overdue*" if t.overdue else ""
    return section(
        f"*{escape(t.ref)} {_t(t.title, 200)}*{plan}\n"
        f"{_plural(t.counts.total, 'action')} · *{t.percent_complete}%* complete{overdue}\n"
        f"{status_counts(t.counts, owing=t.owing_evidence)}"
    )


def status_messages(view: BoardStatus) -> list[Rendered]:
    """Counts by BRAG, % complete and overdue, for the board and each theme."""
    board = view.board
    name = _t(board.name, NAMES_LIMIT)
    pending = (
        f" · *{view.pending_date_changes}* "
        f"{'date change' if view.pending_date_changes == 1 else 'date changes'} to approve"
        if view.pending_date_changes
        else ""
    )
    headline = (
        f"*{_plural(view.counts.total, 'action')}* · *{view.percent_complete}%* complete · "
        f"*{view.overdue}* overdue{pending}\n"
        f"{status_counts(view.counts, owing=view.owing_evidence)}"
    )
    head = [
        header(f"{board.name} — status"),
        context(f"As of {uk_date(board.today)} · `/board help` for the other views"),
        section(headline),
    ]
    if not view.themes:
        body = [divider(), section("No active plan on this board yet.")]
    else:
        with_plan = view.several_plans
        body = [divider(), *(_theme_status(t, with_plan) for t in view.themes)]
    fallback = (
        f"{name}: {_plural(view.counts.total, 'action')}, {view.percent_complete}% complete, "
        f"{view.overdue} overdue"
    )
    return _paged(head, body, fallback, f"{name} status")


# ---------------------------------------------------------------- overdue


def overdue_messages(view: OverdueList) -> list[Rendered]:
    board = view.board
    name = _t(board.name, NAMES_LIMIT)
    if not view.items:
        return _single(
            f":white_check_mark: Nothing is overdue on {name} (as of {uk_date(board.today)})."
        )
    lines = [
        (
            a.action_id,
            f"• *{escape(a.ref)}* {_t(a.title)} — {_names(a.owners)} — "
            f"*{_plural(a.working_days, 'working day')}* overdue "
            f"(due {uk_date(a.due, a.due_precision)}) · {_badge(a.status)}",
        )
        for a in view.items
    ]
    head = [
        header(f"{board.name} — overdue"),
        context(
            f"{_plural(len(view.items), 'open action')} past the due date as of "
            f"{uk_date(board.today)}, most overdue first"
        ),
    ]
    fallback = f"{name}: {_plural(len(view.items), 'action')} overdue"
    body = with_challenges(lines, view.can_challenge)
    return _paged(head, body, fallback, f"{name} overdue")


# ---------------------------------------------------------------- one theme


def _action_line(a: ActionRow, tz: str) -> str:
    due = f"due {uk_date(a.due, a.due_precision)}" if a.due else _no_date(a.due_text)
    late = (
        f" · :warning: *{_plural(a.working_days_overdue, 'working day')} overdue*"
        if a.working_days_overdue is not None
        else ""
    )
    delegates = f" · delegate {_names(a.delegates)}" if a.delegates else ""
    if a.latest is None:
        latest = "_No updates yet._"
    else:
        by = f" by {_t(a.latest.author, NAMES_LIMIT)}" if a.latest.author else ""
        if a.latest.source == IMPORTED:
            by = f" {FROM_THE_SHEET}"
        note = f": “{_t(a.latest.note, NOTE_LIMIT)}”" if a.latest.note else ""
        latest = f"_Latest update {_moment(a.latest.at, tz)}{by}_{note}"
    return (
        f"*{escape(a.ref)}* {_t(a.title)}\n"
        f"{_delivery(a)} · {due}{late} · {_names(a.owners)}{delegates}\n"
        f"{latest}"
    )


def theme_messages(view: ThemeDetail) -> list[Rendered]:
    board = view.board
    lead = f" · lead {_t(view.lead.name, NAMES_LIMIT)}" if view.lead else ""
    title = f"{escape(view.ref)} {_t(view.title, 200)}"
    head = [
        header(f"{view.ref} {view.title}"),
        context(f"{_t(board.name, NAMES_LIMIT)} · {_t(view.plan)}{lead} · {uk_date(board.today)}"),
        section(
            f"{_plural(view.counts.total, 'action')} · *{view.counts.percent_complete}%* "
            f"complete · *{view.overdue}* overdue\n"
            f"{status_counts(view.counts, owing=view.owing_evidence)}"
        ),
        divider(),
    ]
    if view.actions:
        lines = [(a.id, _action_line(a, board.timezone)) for a in view.actions]
        body = with_challenges(lines, view.can_challenge, joined="\n")
    else:
        body = [section("This theme has no actions yet.")]
    fallback = f"Theme {title}: {_plural(view.counts.total, 'action')}, {view.overdue} overdue"
    return _paged(head, body, fallback, f"Theme {escape(view.ref)}")


# ---------------------------------------------------------------- meetings


def _meeting_line(m: MeetingLine) -> str:
    when = f"*{_day(m.date)}* {m.starts_at:%H:%M}"
    if m.kind == "cancelled":
        return f"• ~{_day(m.date)}~ — _cancelled_"
    added = " _(added)_" if m.kind == "added" else ""
    steps = [
        ("update window opens", m.window_opens),
        ("last call", m.last_call),
        ("updates due", m.updates_due),
        ("pack", m.pack),
    ]
    days = " · ".join(f"{what} {_day(day)}" for what, day in steps if day is not None)
    return f"• {when}{added} — {days}"


def meetings_messages(view: MeetingsView) -> list[Rendered]:
    board = view.board
    name = _t(board.name, NAMES_LIMIT)
    if not view.meetings:
        return _single(
            f":calendar: No meetings are coming up for {name}. An admin can set the cycle: "
            "`/plan board meetings second Tuesday monthly at 10:00`."
        )
    cycle = f"Meets {escape(view.cycle)}" if view.cycle else "No regular cycle"
    send_at = view.policy.send_at.strftime("%H:%M")
    lines = [_meeting_line(m) for m in view.meetings]
    notes = [
        f"Reminders go to owners at {send_at} on working days; the pack goes to the chair and "
        "the board channel."
    ]
    if view.paused_until is not None:
        notes.append(
            f":double_vertical_bar: Reminders are paused until {uk_date(view.paused_until)}."
        )
    head = [
        header(f"{board.name} — meetings"),
        context(f"{cycle} · {escape(board.timezone)}"),
    ]
    body = [*sections_from_lines(lines), context(" ".join(notes))]
    shown = [m for m in view.meetings if m.kind != "cancelled"]
    fallback = f"{name}: next meeting {uk_date(shown[0].date)}" if shown else f"{name}: meetings"
    return _paged(head, body, fallback, f"{name} meetings")


# ---------------------------------------------------------------- history


def _update_line(u: UpdateEntry, tz: str) -> str:
    who = _t(u.author, NAMES_LIMIT) if u.author else "the bot"
    if u.source == IMPORTED:
        who = FROM_THE_SHEET
    if u.status_changed:
        change = f" — {_update_badge(u.previous_status)} → {_update_badge(u.status)}"
    elif u.status:
        change = f" — {_update_badge(u.status)}"
    else:
        change = ""
    parts = [f"• *{_moment(u.at, tz)}* — {who}{change}"]
    if u.note and not (u.new_due and u.note == f"{DATE_REQUEST_NOTE}{u.due_reason or ''}"):
        parts.append(f"“{_t(u.note, NOTE_LIMIT)}”")  # (a date request is said once, below)
    if u.evidence:
        parts.append(f"_Evidence:_ {_t(u.evidence, NOTE_LIMIT)}")
    if u.new_due:
        reason = f": {_t(u.due_reason, REASON_LIMIT)}" if u.due_reason else ""
        parts.append(f"_Asked to move the due date to {uk_date(u.new_due)}{reason}_")
    parts.append(f"_via {escape(u.source)}_")
    return "\n    ".join(parts)


def _date_change_line(c: DateChangeRow, tz: str) -> str:
    by = f" by {_t(c.requested_by.name, NAMES_LIMIT)}" if c.requested_by else ""
    line = (
        f"• *#{c.id}* {uk_date(c.old_due)} → *{uk_date(c.new_due, c.new_precision)}* — "
        f"“{_t(c.reason, REASON_LIMIT)}” — asked{by} {_moment(c.requested_at, tz)} — *{c.state}*"
    )
    if c.state in ("approved", "declined") and c.decided_at is not None:
        decider = f" by {_t(c.decided_by, NAMES_LIMIT)}" if c.decided_by else ""
        note = f": {_t(c.note, REASON_LIMIT)}" if c.note else ""
        line += f"{decider} {_moment(c.decided_at, tz)}{note}"
    return line


def _no_date(due_text: str | None) -> str:
    """Where a date would be: the sheet's own words ("Ongoing", "Quarterly"), else none."""
    return f"due “{_t(due_text, NAMES_LIMIT)}”" if due_text else "no due date"


def history_messages(view: ActionHistory) -> list[Rendered]:
    board = view.board
    tz = board.timezone
    due = uk_date(view.due, view.due_precision) if view.due else "no due date"
    if view.due is None and view.due_text:
        due = f"“{_t(view.due_text, NAMES_LIMIT)}”"
    if view.original_due and view.original_due != view.due:
        due += f" (originally {uk_date(view.original_due)})"
    head = [
        header(f"{view.ref} {view.title}"),
        context(
            f"{_t(board.name, NAMES_LIMIT)} · "
            f"{delivery_badge(view.status, view.impact, view.evidence)} · due {due} · "
            f"{_names(view.owners)}"
        ),
    ]
    if view.can_challenge:
        ask = f"Put a question to {_names(view.owners)} about *{escape(view.ref)}*."
        head.append({**section(ask), "accessory": challenge_button(view.action_id)})
    lines = [f"*{_t(name, NAMES_LIMIT)}:* {_t(value)}" for name, value in view.fields]
    lines.append(f"*Updates* ({view.total_updates}, newest first)")
    if not view.updates:
        lines.append("_No updates yet._")
    lines += [_update_line(u, tz) for u in view.updates]
    if view.total_updates > len(view.updates):
        lines.append(f"_… and {view.total_updates - len(view.updates)} older updates_")
    body = sections_from_lines(lines)
    if view.date_changes:
        changes = [f"*Date changes* ({len(view.date_changes)}, newest first)"]
        changes += [_date_change_line(c, tz) for c in view.date_changes]
        body += [divider(), *sections_from_lines(changes)]
    ref = escape(view.ref)
    fallback = f"{ref} {_t(view.title)}: {_plural(view.total_updates, 'update')}"
    return _paged(head, body, fallback, f"{ref} history")


# ---------------------------------------------------------------- date changes


def _pending_blocks(c: PendingDateChange, tz: str, can_decide: bool) -> list[Block]:
    who = f" by {_t(c.requested_by.name, NAMES_LIMIT)}" if c.requested_by else ""
    blocks: list[Block] = [
        section(
            f"*#{c.id}* · *{escape(c.ref)}* {_t(c.title)}\n"
            f"{uk_date(c.old_due)} → *{uk_date(c.new_due, c.new_precision)}* · asked{who} "
            f"{_moment(c.requested_at, tz)}\n"
            f">{_t(c.reason, REASON_LIMIT)}"
        )
    ]
    if can_decide:
        blocks.append(date_change_buttons(c.id))
    return blocks


def pending_messages(view: PendingList, hint: str | None = None) -> list[Rendered]:
    """Date changes waiting for the chair, with Approve / Decline buttons for those who may
    decide; `hint` (plain text) is added as a note."""
    board = view.board
    name = _t(board.name, NAMES_LIMIT)
    note = f"\n_{escape(hint)}_" if hint else ""
    if not view.items:
        return _single(f":white_check_mark: No date changes are waiting on {name}.{note}")
    how = (
        "Use the buttons, or type `/board approve &lt;number&gt;` or "
        "`/board decline &lt;number&gt; &lt;reason&gt;`."
        if view.can_decide
        else "Only the board's chair can approve or decline these."
    )
    head = [
        header(f"{board.name} — date changes to approve"),
        context(f"{_plural(len(view.items), 'request')} waiting · {how}"),
    ]
    if hint:
        head.append(context(f"_{escape(hint)}_"))
    body: list[Block] = []
    for item in view.items:
        body += _pending_blocks(item, board.timezone, view.can_decide)
    fallback = f"{name}: {_plural(len(view.items), 'date change')} waiting"
    return _paged(head, body, fallback, f"{name} date changes")


def decision_message(decision: Decision, announced: bool) -> Rendered:
    """What the chair sees after deciding; `announced` says whether the bot told the person
    who asked (it can only DM someone linked to Slack)."""
    what = f"*{escape(decision.ref)}* {_t(decision.title)}"
    new_due = uk_date(decision.new_due, decision.new_precision)
    if decision.state == "approved":
        text = (
            f":white_check_mark: Approved #{decision.id}: {what} is now due {new_due} "
            f"(was {uk_date(decision.old_due)})."
        )
    else:
        reason = f" Reason: “{_t(decision.note, REASON_LIMIT)}”." if decision.note else ""
        text = (
            f":no_entry_sign: Declined #{decision.id}: {what} stays due "
            f"{uk_date(decision.old_due)}, not {new_due}.{reason}"
        )
    asker = decision.requested_by
    if asker is not None:
        who = _t(asker.name, NAMES_LIMIT)
        text += (
            f" I've told {who}."
            if announced and asker.slack_user_id
            else (f" Please let {who} know.")
        )
    return Rendered(text, [])


# ---------------------------------------------------------------- digest and pack previews


def _preview(messages: list[list[Block]], fallback: str, note: str) -> list[Rendered]:
    rendered = [Rendered(fallback, list(blocks)) for blocks in messages]
    first = rendered[0].blocks
    if len(first) < BLOCK_LIMIT:
        first.insert(min(2, len(first)), context(note))
    return rendered


def digest_preview_messages(digest: Digest) -> list[Rendered]:
    return _preview(
        digest_blocks(digest),
        digest_fallback_text(digest),
        "_Preview: only you can see this. The digest goes to the chair and the board channel "
        "on Monday mornings._",
    )


def pack_preview_messages(
    pack: Pack, *, can_decide: bool = True, can_challenge: bool = False, can_close: bool = False
) -> list[Rendered]:
    return _preview(
        pack_blocks(
            pack, with_buttons=can_decide, can_challenge=can_challenge, can_close=can_close
        ),
        pack_fallback_text(pack),
        "_Preview: only you can see this. The pack goes to the chair and the board channel "
        "before the meeting._",
    )
