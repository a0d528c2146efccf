"""The weekly digest and the pre-meeting pack as Block Kit messages and as plain text.

Blocks: one list per Slack message, each within Slack's limits (50 blocks, 3,000 characters a
section, and about 12,000 characters of text in all; we keep to 10,000). A theme's blocks stay
in one message when they fit; messages after the first start with a "continued" line.
`max_items` caps each list of a theme (overdue, due soon …) for a shorter Slack post; the
default lists everything. Every piece of user text is escaped before it goes into mrkdwn; the
plain-text views (terminal, CLI `--format text`) show it as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from bot.core.board_status import DUE_SOON_DAYS, Who
from bot.core.calendar import zone
from bot.core.dates import format_moment
from bot.core.deadlines import Countdown
from bot.core.digest import (
    ChallengeLine,
    ChallengeStepLine,
    DateChange,
    Digest,
    DueSoonAction,
    OverdueAction,
    OwingEvidence,
    Pack,
    PendingDateChange,
    StaleAction,
    StatusChange,
    ThemeDigest,
    Totals,
)
from bot.core.statuses import Status
from bot.render.buttons import (
    CHALLENGE_BUTTONS,
    CHALLENGE_BY_COMMAND,
    challenge_step_buttons,
    date_change_buttons,
    with_challenges,
)
from bot.render.mrkdwn import (
    BLOCK_LIMIT,
    FROM_THE_SHEET,
    context,
    divider,
    escape,
    header,
    mention,
    section,
    sections_from_lines,
    shorten,
    status_badge,
    status_counts,
    uk_date,
)
from bot.services.progress import IMPORTED

Block = dict[str, Any]
T = TypeVar("T")

FALLBACK_LIMIT = 150
# Slack refuses a message whose blocks hold more than about 12,000 characters of text in all
# (`msg_blocks_too_long`, not in its documentation), whatever the per-block limits allow.
MESSAGE_TEXT_BUDGET = 10_000
TITLE_LIMIT = 120  # an action's title in a digest line
THEME_TITLE_LIMIT = 200
NAMES_LIMIT = 100
REASON_LIMIT = 300


# ---------------------------------------------------------------- shared wording


def _label(status: str | None) -> str:
    return Status(status).label if status else "no status"


def _local(value: dt.datetime, tz: str) -> dt.datetime:
    return value.astimezone(zone(tz))


def _local_day(value: dt.datetime, tz: str) -> str:
    return uk_date(_local(value, tz).date())


def _local_moment(value: dt.datetime, tz: str) -> str:
    return format_moment(value, tz)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(owners: Iterable[Who]) -> str:
    names = [w.name for w in owners]
    return ", ".join(names) if names else "no owner"


def _in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _totals_line(t: Totals, bold: Callable[[str], str]) -> str:
    parts = [
        f"{bold(str(t.actions))} {'action' if t.actions == 1 else 'actions'}",
        f"{bold(f'{t.percent_complete}%')} complete",
        f"{bold(str(t.overdue))} overdue",
        f"{bold(str(t.due_soon))} due in the next {DUE_SOON_DAYS} days",
        f"{bold(str(t.stale))} stale",
    ]
    if t.pending_date_changes:
        n = t.pending_date_changes
        parts.append(f"{bold(str(n))} {'date change' if n == 1 else 'date changes'} to approve")
    return " · ".join(parts)


def _impact_line(d: Digest, bold: Callable[[str], str]) -> str | None:
    """`3 delivered · 1 with impact evidenced · 2 delivered still owe evidence`; None when
    nothing is delivered and no impact is judged yet."""
    i = d.impact
    if not (i.delivered or i.impact_evidenced or i.impact_emerging):
        return None
    parts = [
        f"{bold(str(i.delivered))} delivered",
        f"{bold(str(i.impact_evidenced))} with impact evidenced",
    ]
    if i.impact_emerging:
        parts.append(f"{bold(str(i.impact_emerging))} with impact emerging")
    if i.owing_evidence:
        parts.append(
            f"{bold(str(i.owing_evidence))} delivered "
            f"{'still owes' if i.owing_evidence == 1 else 'still owe'} evidence of impact"
        )
    return " · ".join(parts)


def _owing_lines(d: Digest, heading: str, item: Callable[[OwingEvidence], str]) -> list[str]:
    """The delivered actions still owing evidence of impact (nothing when none do)."""
    if not d.owing_evidence:
        return []
    return [heading, *(item(o) for o in d.owing_evidence)]


def _owing_text(o: OwingEvidence) -> str:
    owners = f" ({', '.join(w.name for w in o.owners)})" if o.owners else ""
    return f"  - {o.ref} {o.title}{owners}: {o.headline.lower()}"


def _owing_mrkdwn(o: OwingEvidence) -> str:
    return f"• *{escape(o.ref)}* {_title(o.title)} — {_owner_names(o.owners)}"


def _challenges_line(d: Digest, bold: Callable[[str], str]) -> str | None:
    """`Challenges: 2 open · 1 answered`; None when the board has none."""
    c = d.challenges
    if c is None or not (c.current or c.closed):
        return None
    return (
        f"Challenges: {bold(str(c.open))} open · {bold(str(c.answered))} answered "
        f"· {c.closed} closed"
    )


def _movement_lines(d: Digest, bold: Callable[[str], str], ref: Callable[[str], str]) -> list[str]:
    """Movement since the last meeting, per theme, with the actions that moved; nothing when
    there is no earlier meeting to compare with."""
    if d.movement_since is None:
        return []
    slips = f" · {_plural(d.movement_slips, 'slip')}" if d.movement_slips else ""
    lines = [bold(f"Movement since the meeting on {uk_date(d.movement_since)}") + slips]
    for m in d.movement:
        theme_slips = f" ({_plural(m.summary.slips, 'slip')})" if m.summary.slips else ""
        lines.append(f"Theme {ref(m.ref)} {_title(m.title)}: {m.summary.line}{theme_slips}")
        for action_ref, title, moved in m.moved:
            before = Status(moved.before).label if moved.before else "not there"
            lines.append(
                f"    {moved.symbol} {ref(action_ref)} {_title(title)}: "
                f"{before} → {Status(moved.now).label}"
            )
    return lines


STEP_NAMES = {"answered": "Answer", "reopened": "Follow-up"}
STEPS_SHOWN = 6  # the latest steps of a long exchange; the earlier ones are counted


def _steps(c: ChallengeLine) -> tuple[int, list[ChallengeStepLine]]:
    """The answers and follow-ups after the first question, in order: (how many earlier
    ones are left out, the ones shown). Without steps, the latest answer alone."""
    steps = list(c.steps)
    if not steps and c.answer:
        steps = [ChallengeStepLine("answered", c.answered_by, c.answer)]
    return max(len(steps) - STEPS_SHOWN, 0), steps[-STEPS_SHOWN:]


def _challenge_text(c: ChallengeLine) -> str:
    first = c.first_question or c.question
    line = f"  - {c.label} {c.ref} {c.title}: {c.state}, {c.age} — “{' '.join(first.split())}”"
    left_out, steps = _steps(c)
    if left_out:
        line += f" (… {left_out} earlier)"
    for s in steps:
        who = f" ({s.by})" if s.by else ""
        line += f" {STEP_NAMES.get(s.kind, s.kind)}{who}: “{' '.join(s.text.split())}”"
    return line


def _challenge_mrkdwn(c: ChallengeLine) -> str:
    lines = [
        f"• *{c.label}* *{escape(c.ref)}* {_title(c.title)} — {c.state}, {c.age}",
        f">{_title(c.first_question or c.question, REASON_LIMIT)}",
    ]
    left_out, steps = _steps(c)
    if left_out:
        lines.append(f"_… {left_out} earlier answers and follow-ups_")
    for s in steps:
        who = f" ({_title(s.by, NAMES_LIMIT)})" if s.by else ""
        lines.append(f"_{STEP_NAMES.get(s.kind, s.kind)}{who}:_ {_title(s.text, REASON_LIMIT)}")
    return "\n".join(lines)


def _theme_summary(t: ThemeDigest) -> str:
    return f"{_plural(t.counts.total, 'action')}, {t.percent_complete}% complete"


def _has_plans(d: Digest) -> bool:
    return len({t.plan for t in d.themes}) > 1


# ---------------------------------------------------------------- plain text


def _theme_text(t: ThemeDigest, d: Digest, with_plan: bool) -> list[str]:
    tz = d.timezone
    plan = f"  ({t.plan})" if with_plan else ""
    counts = status_counts(t.counts, emoji=False)
    lines = [f"{t.ref} {t.title}{plan}", f"  {_theme_summary(t)} — {counts}"]
    if t.overdue:
        lines.append("  Overdue:")
        for a in t.overdue:
            lines.append(
                f"    - {a.ref} {a.title} — {_names(a.owners)} — "
                f"{_plural(a.working_days, 'working day')} overdue "
                f"(due {uk_date(a.due, a.due_precision)})"
            )
    if t.due_soon:
        lines.append(f"  Due in the next {DUE_SOON_DAYS} days:")
        for s in t.due_soon:
            lines.append(
                f"    - {s.ref} {s.title} — due {uk_date(s.due, s.due_precision)} "
                f"({_in_days(s.days_left)}) — {_names(s.owners)} — {_label(s.status)}"
            )
    if t.changes:
        lines.append("  Status changes:")
        for c in t.changes:
            by = f" {FROM_THE_SHEET}" if c.source == IMPORTED else f" by {c.by}" if c.by else ""
            lines.append(
                f"    - {c.ref} {_label(c.from_status)} → {_label(c.to_status)}{by}, "
                f"{_local_day(c.at, tz)}"
            )
    if t.stale:
        lines.append(f"  Stale (no update for {d.stale_days} days):")
        for st in t.stale:
            last = (
                f"last update {_local_day(st.last_update, tz)} ({st.days_since} days ago)"
                if st.last_update is not None
                else "never updated"
            )
            lines.append(
                f"    - {st.ref} {st.title} — {_label(st.status)} — {_names(st.owners)} — {last}"
            )
    if t.date_changes:
        lines.append("  Approved date changes:")
        for moved in t.date_changes:
            by = f" (approved by {moved.decided_by})" if moved.decided_by else ""
            lines.append(
                f"    - {moved.ref} {uk_date(moved.old_due)} → "
                f"{uk_date(moved.new_due, moved.new_precision)}: {moved.reason}{by}"
            )
    return lines


def _digest_body_text(d: Digest) -> list[str]:
    with_plan = _has_plans(d)
    lines = [
        _totals_line(d.totals, str),
        status_counts(d.totals.counts, emoji=False),
    ]
    impact = _impact_line(d, str)
    if impact:
        lines.append(impact)
    challenges = _challenges_line(d, str)
    if challenges:
        lines.append(challenges)
    owing = _owing_lines(d, "Delivered, impact not yet evidenced:", _owing_text)
    if owing:
        lines += ["", *owing]
    movement = _movement_lines(d, str, str)
    if movement:
        lines += ["", *movement]
    if d.deadlines:
        lines += ["", "Deadlines:"]
        lines += [f"  - {c.text}" + (" (red)" if c.red else "") for c in d.deadlines]
    if d.covering:
        lines += ["", "Away:"] + [f"  - {line}" for line in d.covering]
    if d.away_no_cover:
        lines += ["", f"{AWAY_NO_COVER} (overdue, not chased while they are away):"]
        lines += [f"  - {_overdue_text(a)}" for a in d.away_no_cover]
    if not d.themes:
        lines += ["", "No active plan on this board."]
    for t in d.themes:
        lines.append("")
        lines += _theme_text(t, d, with_plan)
    return lines


def digest_text(d: Digest) -> str:
    """The digest as plain text, for a terminal or a notification fallback."""
    lines = [
        f"{d.board} — weekly digest, {uk_date(d.today)}",
        f"Changes since {_local_moment(d.since, d.timezone)}",
        "",
    ]
    return "\n".join(lines + _digest_body_text(d)) + "\n"


def _pending_text(c: PendingDateChange, tz: str) -> str:
    who = f" by {c.requested_by.name}" if c.requested_by else ""
    return (
        f"  - [{c.id}] {c.ref} {c.title}: {uk_date(c.old_due)} → "
        f"{uk_date(c.new_due, c.new_precision)} — {c.reason} "
        f"(asked{who} on {_local_day(c.requested_at, tz)})"
    )


def pack_text(p: Pack) -> str:
    """The pre-meeting pack as plain text."""
    d = p.digest
    tz = d.timezone
    lines = [
        f"{d.board} — pack for the meeting on {uk_date(p.meeting)}",
        f"Prepared {uk_date(d.today)}; changes since {_since_meeting(p)}",
        "",
        f"Not updated since {_since_meeting(p)}:",
    ]
    if p.not_updated:
        for n in p.not_updated:
            unlinked = "" if n.who.slack_user_id else " (not linked to Slack)"
            lines.append(f"  - {n.who.name}{unlinked}: {', '.join(n.refs)}")
    else:
        lines.append("  Everyone with open actions has updated.")
    lines += ["", "Date changes to approve:"]
    if p.pending_date_changes:
        lines += [_pending_text(c, tz) for c in p.pending_date_changes]
    else:
        lines.append("  None.")
    if p.challenges:
        lines += ["", "Challenges open and answered:"]
        lines += [_challenge_text(c) for c in p.challenges]
    if p.without_impact:
        lines += ["", "Activity without evidence of impact (the last 3 updates):"]
        lines += [_owing_text(o) for o in p.without_impact]
    lines.append("")
    return "\n".join(lines + _digest_body_text(d)) + "\n"


def _since_meeting(p: Pack) -> str:
    if p.previous_meeting is not None:
        return f"the meeting on {uk_date(p.previous_meeting)}"
    return _local_moment(p.updates_since, p.digest.timezone)


# ---------------------------------------------------------------- Block Kit


def _title(text: str, limit: int = TITLE_LIMIT) -> str:
    """User text for mrkdwn: shortened first, so escaping never cuts an entity in half."""
    return escape(shorten(text, limit))


def _owner_names(owners: Iterable[Who]) -> str:
    return _title(_names(owners), NAMES_LIMIT)


def _overdue_line(a: OverdueAction) -> str:
    return (
        f"• *{escape(a.ref)}* {_title(a.title)} — {_owner_names(a.owners)} — "
        f"*{_plural(a.working_days, 'working day')}* overdue "
        f"(due {uk_date(a.due, a.due_precision)})"
    )


def _due_soon_line(s: DueSoonAction) -> str:
    return (
        f"• *{escape(s.ref)}* {_title(s.title)} — due {uk_date(s.due, s.due_precision)} "
        f"({_in_days(s.days_left)}) — {_owner_names(s.owners)} — {status_badge(s.status)}"
    )


def _change_line(c: StatusChange, tz: str) -> str:
    by = f" by {_title(c.by, NAMES_LIMIT)}" if c.by else ""
    if c.source == IMPORTED:
        by = f" {FROM_THE_SHEET}"
    before = status_badge(c.from_status) if c.from_status else "no status"
    return f"• *{escape(c.ref)}* {before} → {status_badge(c.to_status)}{by}, {_local_day(c.at, tz)}"


def _stale_line(st: StaleAction, tz: str) -> str:
    last = (
        f"last update {_local_day(st.last_update, tz)}"
        if st.last_update is not None
        else "never updated"
    )
    return (
        f"• *{escape(st.ref)}* {_title(st.title)} — {status_badge(st.status)} — "
        f"{_owner_names(st.owners)} — {last}"
    )


def _date_change_line(c: DateChange) -> str:
    by = f" (approved by {_title(c.decided_by, NAMES_LIMIT)})" if c.decided_by else ""
    return (
        f"• *{escape(c.ref)}* {uk_date(c.old_due)} → "
        f"{uk_date(c.new_due, c.new_precision)}: {_title(c.reason, REASON_LIMIT)}{by}"
    )


def _theme_blocks(t: ThemeDigest, d: Digest, with_plan: bool, max_items: int | None) -> list[Block]:
    tz = d.timezone
    plan = f" _({_title(t.plan)})_" if with_plan else ""
    blocks: list[Block] = [
        divider(),
        section(
            f"*{escape(t.ref)} {_title(t.title, THEME_TITLE_LIMIT)}*{plan}\n"
            f"{_theme_summary(t)} · {status_counts(t.counts)}"
        ),
    ]
    lines: list[str] = []

    def add(heading: str, items: Sequence[T], line: Callable[[T], str]) -> None:
        if not items:
            return
        lines.append(f"{heading} ({len(items)})")
        shown = items if max_items is None else items[:max_items]
        lines.extend(line(item) for item in shown)
        if len(shown) < len(items):
            more = len(items) - len(shown)
            lines.append(f"_…and {more} more: `/board theme {escape(t.ref)}` lists them all_")

    add("*Overdue*", t.overdue, _overdue_line)
    add(f"*Due in the next {DUE_SOON_DAYS} days*", t.due_soon, _due_soon_line)
    add("*Status changes*", t.changes, lambda c: _change_line(c, tz))
    add(f"*Stale* — no update for {d.stale_days} days", t.stale, lambda s: _stale_line(s, tz))
    add("*Approved date changes*", t.date_changes, _date_change_line)
    blocks += sections_from_lines(lines)
    return blocks


def _headline_blocks(d: Digest) -> list[Block]:
    def bold(s: str) -> str:
        return f"*{s}*"

    text = f"{_totals_line(d.totals, bold)}\n{status_counts(d.totals.counts)}"
    for extra in (_impact_line(d, bold), _challenges_line(d, bold)):
        if extra:
            text += f"\n{extra}"
    blocks = [section(text)]
    owing = _owing_lines(
        d,
        f"*Delivered, impact not yet evidenced* ({len(d.owing_evidence)})",
        _owing_mrkdwn,
    )
    if owing:
        blocks += sections_from_lines(owing)
    if d.deadlines:
        lines = [f"{_countdown_mark(c)} {escape(c.text)}" for c in d.deadlines]
        blocks.append(section("*Deadlines*\n" + "\n".join(lines)))
    if d.covering:
        lines = [f":palm_tree: {escape(line)}" for line in d.covering]
        blocks.append(section("*Away*\n" + "\n".join(lines)))
    if d.away_no_cover:
        lines = [_overdue_line(a) for a in d.away_no_cover[:AWAY_NO_COVER_SHOWN]]
        if len(d.away_no_cover) > AWAY_NO_COVER_SHOWN:
            lines.append(f"…and {len(d.away_no_cover) - AWAY_NO_COVER_SHOWN} more")
        blocks += sections_from_lines(
            [f"*{AWAY_NO_COVER}* (overdue, not chased while they are away)", *lines]
        )
    return blocks


AWAY_NO_COVER = "Owner away, no cover"
AWAY_NO_COVER_SHOWN = 20


def _overdue_text(a: OverdueAction) -> str:
    return (
        f"{a.ref} {a.title} — {_names(a.owners)}, {_plural(a.working_days, 'working day')} overdue"
    )


def _countdown_mark(c: Countdown) -> str:
    """Red once overdue, amber within ten working days, green before."""
    if c.red:
        return ":red_circle:"
    return ":large_orange_circle:" if c.working_days_left <= 10 else ":large_green_circle:"


def _theme_groups(d: Digest, max_items: int | None) -> list[list[Block]]:
    if not d.themes:
        return [[divider(), section("No active plan on this board.")]]
    with_plan = _has_plans(d)
    movement = _movement_lines(d, lambda s: f"*{s}*", lambda s: f"*{escape(s)}*")
    groups = [[divider(), *sections_from_lines(movement)]] if movement else []
    return groups + [_theme_blocks(t, d, with_plan, max_items) for t in d.themes]


def _text_size(block: Block) -> int:
    """Characters of text in a block (section, context, header, button labels)."""
    if not isinstance(block, dict):
        return 0
    size = 0
    for key, value in block.items():
        if key == "text" and isinstance(value, str):
            size += len(value)
        elif isinstance(value, dict):
            size += _text_size(value)
        elif isinstance(value, list):
            size += sum(_text_size(item) for item in value)
    return size


class _Composer:
    """Fills messages up to Slack's block limit and a budget of text characters, leaving
    room for a "continued" line at the top of every message after the first."""

    def __init__(self, head: list[Block], reserve: int) -> None:
        self.max_blocks = BLOCK_LIMIT - 1
        self.max_chars = MESSAGE_TEXT_BUDGET - reserve
        self.messages: list[list[Block]] = [list(head)]
        self.sizes = [sum(_text_size(b) for b in head)]

    def fits(self, n_blocks: int, n_chars: int) -> bool:
        return (
            len(self.messages[-1]) + n_blocks <= self.max_blocks
            and self.sizes[-1] + n_chars <= self.max_chars
        )

    def new_message(self) -> None:
        if self.messages[-1]:
            self.messages.append([])
            self.sizes.append(0)

    def add(self, block: Block, size: int) -> None:
        if not self.messages[-1] and block.get("type") == "divider":
            return  # a message never starts with a divider
        self.messages[-1].append(block)
        self.sizes[-1] += size

    def add_group(self, group: list[Block]) -> None:
        """A group stays in one message whenever it fits in one."""
        sizes = [_text_size(b) for b in group]
        if not self.fits(len(group), sum(sizes)):
            self.new_message()
        for block, size in zip(group, sizes, strict=True):
            if not self.fits(1, size):
                self.new_message()
            self.add(block, size)


def _messages(head: list[Block], groups: list[list[Block]], continued: str) -> list[list[Block]]:
    """Pack groups of blocks into messages; every message after the first starts with a
    `continued` context line naming its part."""
    composer = _Composer(head, reserve=len(continued) + 40)
    for group in groups:
        composer.add_group(group)
    messages = [m for m in composer.messages if m]
    total = len(messages)
    for number, message in enumerate(messages[1:], start=2):
        message.insert(0, context(f"{continued} (part {number} of {total})"))
    return messages


def digest_blocks(d: Digest, max_items: int | None = None) -> list[list[Block]]:
    """The digest as Block Kit: one list of blocks per Slack message."""
    head = [
        header(f"{d.board} — digest {uk_date(d.today)}"),
        context(f"Weekly digest · changes since {_local_moment(d.since, d.timezone)}"),
        *_headline_blocks(d),
    ]
    continued = f"{_title(d.board, NAMES_LIMIT)} digest, {uk_date(d.today)}, continued"
    return _messages(head, _theme_groups(d, max_items), continued)


def _not_updated_lines(p: Pack) -> list[str]:
    lines = [f"*Not updated since {_since_meeting(p)}* ({len(p.not_updated)})"]
    if not p.not_updated:
        lines.append("Everyone with open actions has updated. :tada:")
    for n in p.not_updated:
        refs = ", ".join(escape(ref) for ref in n.refs)
        who = mention(n.who.slack_user_id, shorten(n.who.name, NAMES_LIMIT))
        unlinked = "" if n.who.slack_user_id else " _(not linked to Slack)_"
        lines.append(f"• {who}{unlinked} — {refs}")
    return lines


def _pending_blocks(c: PendingDateChange, tz: str, with_buttons: bool = True) -> list[Block]:
    who = f" by {_title(c.requested_by.name, NAMES_LIMIT)}" if c.requested_by else ""
    text = (
        f"*{escape(c.ref)}* {_title(c.title)}\n"
        f"{uk_date(c.old_due)} → *{uk_date(c.new_due, c.new_precision)}* · asked{who} on "
        f"{_local_day(c.requested_at, tz)}\n"
        f">{_title(c.reason, REASON_LIMIT)}"
    )
    return [section(text), date_change_buttons(c.id)] if with_buttons else [section(text)]


def pack_blocks(
    p: Pack,
    max_items: int | None = None,
    *,
    with_buttons: bool = True,
    can_challenge: bool = False,
    can_close: bool = False,
) -> list[list[Block]]:
    """The pre-meeting pack as Block Kit: who has not updated (mentioning linked owners), date
    changes (with Approve / Decline buttons unless `with_buttons` is False: a preview for
    someone who can't decide them), the challenges and the activity without evidence of
    impact (with a Challenge button on each, up to CHALLENGE_BUTTONS in all, when
    `can_challenge`: the posted pack, or a preview for the chair or a member; an answered
    challenge has Close / Follow up instead when `can_close`: the posted pack, or the chair's
    preview), then the digest by theme."""
    d = p.digest
    head = [
        header(f"{d.board} — pack for {uk_date(p.meeting)}"),
        context(
            f"Board meeting on {uk_date(p.meeting)} · changes since {_since_meeting(p)} · "
            f"prepared {uk_date(d.today)}"
        ),
        *_headline_blocks(d),
    ]
    groups: list[list[Block]] = [[divider(), *sections_from_lines(_not_updated_lines(p))]]
    title = f"*Date changes to approve* ({len(p.pending_date_changes)})"
    if not p.pending_date_changes:
        groups.append([divider(), section(f"{title}\nNone.")])
    else:
        groups.append([divider(), section(title)])
        groups += [_pending_blocks(c, d.timezone, with_buttons) for c in p.pending_date_changes]
    buttons = CHALLENGE_BUTTONS
    if p.challenges:
        lines = [f"*Challenges open and answered* ({len(p.challenges)})"]
        groups.append([divider(), *sections_from_lines(lines)])
        for number, c in enumerate(p.challenges):
            line = _challenge_mrkdwn(c)
            if can_close and c.state == "answered" and c.challenge_id and number < buttons:
                groups.append([section(line), challenge_step_buttons(c.challenge_id)])
                continue
            groups.append(
                with_challenges([(c.action_id, line)], can_challenge and number < buttons)
            )
        if (can_challenge or can_close) and len(p.challenges) > buttons:
            groups.append([context(CHALLENGE_BY_COMMAND)])
        buttons = max(0, buttons - len(p.challenges))
    if p.without_impact:
        heading = (
            f"*Activity without evidence of impact* ({len(p.without_impact)}) "
            "_— the last 3 updates gave no impact judgement and no evidence_"
        )
        items = [(o.action_id, _owing_mrkdwn(o)) for o in p.without_impact]
        if can_challenge:
            body = with_challenges(items, True, buttons=buttons)
            groups.append([divider(), section(heading), *body])
        else:
            lines = [heading, *(line for _, line in items)]
            groups.append([divider(), *sections_from_lines(lines)])
    groups += _theme_groups(d, max_items)
    continued = f"{_title(d.board, NAMES_LIMIT)} pack for {uk_date(p.meeting)}, continued"
    return _messages(head, groups, continued)


# ---------------------------------------------------------------- notification text


def _fit(prefix_name: str, rest: str, limit: int = FALLBACK_LIMIT) -> str:
    """`name` + `rest` within `limit` characters once escaped, shortening the name."""
    budget = limit - len(rest)
    name = escape(shorten(prefix_name, max(budget, 1)))
    while len(name) > budget and budget > 1:
        budget -= 1
        name = escape(shorten(prefix_name, budget))
    return (name + rest)[:limit]


def digest_fallback_text(d: Digest) -> str:
    """One line (at most 150 characters) for chat.postMessage's `text`."""
    t = d.totals
    rest = (
        f" digest {uk_date(d.today)}: {_plural(t.actions, 'action')}, "
        f"{t.percent_complete}% complete, {t.overdue} overdue, {t.due_soon} due soon"
    )
    return _fit(d.board, rest)


def pack_fallback_text(p: Pack) -> str:
    """One line (at most 150 characters) for the pack's chat.postMessage `text`."""
    rest = (
        f" pack for {uk_date(p.meeting)}: {len(p.not_updated)} not updated, "
        f"{_plural(len(p.pending_date_changes), 'date change')} to approve"
    )
    return _fit(p.digest.board, rest)
