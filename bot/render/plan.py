"""What `/plan` answers: one ephemeral message per command, the import modal, the import
summary DM. Every piece of text a person typed or a sheet held goes through `escape`.

Each function returns keyword arguments for `respond` / `chat.postMessage` (`text`, and
`blocks` when a message is long enough to need sections).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from bot.core.dates import ParsedDate, format_day
from bot.core.permissions import Role
from bot.render import ids
from bot.render.mrkdwn import (
    BLOCK_LIMIT,
    MESSAGE_TEXT_LIMIT,
    escape,
    plain,
    section,
    sections_from_lines,
    shorten,
    split_blocks,
)
from bot.services.admin import (
    ExportedPlan,
    ImportChoices,
    ImportOutcome,
    MeetingsView,
    RemindersView,
    RoleChange,
)
from bot.services.linking import Linked, LinkingOutcome, UnlinkedOwner
from bot.services.plans import BoardSummary

Message = dict[str, Any]

IMPORT_FILE_BLOCK = "plan_file"
IMPORT_FILE_ACTION = "file"
IMPORT_BOARD_BLOCK = "board"
IMPORT_BOARD_ACTION = "board_select"
IMPORT_TITLE_BLOCK = "plan_title"
IMPORT_TITLE_ACTION = "title"
IMPORT_FILETYPES = ("xlsx", "csv")
IMPORT_MODE_BLOCK = "import_mode"
IMPORT_MODE_ACTION = "mode"
IMPORT_CHECK_ONLY = "check"
TRY_AGAIN = (
    "Fix the sheet and run `/plan import` again; tick *Check only* to see what it would do "
    "without changing anything."
)
OPTION_TEXT_LIMIT = 75
TITLE_INPUT_LIMIT = 300

EXPECTED_COLUMNS = (
    "Ref | Theme / Action | Completion date | "
    "How will progress / impact be measured or evidenced? | Owner | Progress to date"
)


def text(*lines: str) -> Message:
    """A short message: lines of mrkdwn, already escaped."""
    return {"text": "\n".join(line for line in lines if line)}


def long_text(lines: Sequence[str]) -> Message:
    """A message that may be long: sections within Slack's limits, with a text fallback."""
    blocks = sections_from_lines(lines)[:BLOCK_LIMIT]
    fallback = shorten(" ".join(lines), MESSAGE_TEXT_LIMIT)
    return {"text": fallback, "blocks": blocks}


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def users(user_ids: Iterable[str]) -> str:
    return _and([user(u) for u in user_ids])


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def quoted(value: str) -> str:
    return f"“{escape(value)}”"


def day(value: dt.date) -> str:
    return format_day(value)


# ---------------------------------------------------------------- set-up


def setup_done() -> Message:
    return text(
        ":white_check_mark: You're the first admin of the improvement plan here.",
        'Next: `/plan board create "Improvement Board" chair @someone channel #channel`, '
        'then `/plan new "<plan title>"` or `/plan import` to bring in a spreadsheet.',
    )


def _invite_me(channel_id: str | None, bot_in_channel: bool | None) -> list[str]:
    """A line asking to invite the bot into a board's channel it is not in (if so)."""
    if bot_in_channel is False and channel_id:
        return [
            f"I'm not in {channel(channel_id)} yet: invite me there (`/invite @improvement-bot`) "
            "so digests and packs can be posted."
        ]
    return []


def _what_was_set(
    chair: str | None, channel_id: str | None, chair_is: str, channel_is: str
) -> list[str]:
    """The board's chair and channel as they were set, each in its phrase (`{}` is the
    mention); nothing for what was not."""
    parts = []
    if chair:
        parts.append(chair_is.format(user(chair)))
    if channel_id:
        parts.append(channel_is.format(channel(channel_id)))
    return parts


def board_created(
    name: str, chair: str | None, channel_id: str | None, bot_in_channel: bool | None
) -> Message:
    details = _what_was_set(chair, channel_id, "chair {}", "channel {}")
    head = f":white_check_mark: Created the board {quoted(name)}"
    head += f" ({', '.join(details)})." if details else "."
    lines = [head]
    lines += _invite_me(channel_id, bot_in_channel)
    lines.append(
        "Next: `/plan board meetings second Tuesday monthly at 10:00`, "
        'then `/plan new "<plan title>"` or `/plan import`.'
    )
    return text(*lines)


def board_edited(
    name: str, chair: str | None, channel_id: str | None, bot_in_channel: bool | None
) -> Message:
    changes = _what_was_set(chair, channel_id, "the chair is now {}", "digests and packs go to {}")
    lines = [f":pencil2: {escape(name)}: {'; '.join(changes)}."]
    lines += _invite_me(channel_id, bot_in_channel)
    return text(*lines)


def meetings(view: MeetingsView) -> Message:
    return text(
        f":calendar: {escape(view.board)} meets {escape(view.description)}.",
        _next_meetings(view),
    )


def meeting_added(view: MeetingsView) -> Message:
    assert view.changed is not None
    return text(
        f":calendar: {escape(view.board)} meets on {day(view.changed)} at {view.time:%H:%M}.",
        _next_meetings(view),
    )


def meeting_cancelled(view: MeetingsView) -> Message:
    assert view.changed is not None
    return text(
        f":calendar: Cancelled {escape(view.board)}'s meeting on {day(view.changed)}.",
        _next_meetings(view),
    )


def _next_meetings(view: MeetingsView) -> str:
    if not view.next_meetings:
        return "No meetings are coming up."
    return "Next meetings: " + ", ".join(day(d) for d in view.next_meetings) + "."


def reminders(view: RemindersView, *, resumed: bool = False) -> Message:
    board = escape(view.board)
    paused = (
        f"Reminders for {board} are paused until {day(view.paused_until)}: nothing goes out "
        "on or before that day. `/plan board reminders resume` turns them back on."
        if view.paused_until is not None
        else ""
    )
    if view.changed:
        lines = [f":bell: Changed {_and(view.changed)} for {board}'s reminders.", paused]
    elif paused:
        lines = [f":double_vertical_bar: {paused}"]
    elif resumed:
        lines = [f":bell: Reminders for {board} are back on."]
    else:
        lines = [f":bell: Reminders for {board}:"]
    return text(*lines, f"Settings: {escape(view.policy.describe())}.")


def plan_created(title: str, board: str) -> Message:
    return text(
        f":white_check_mark: Started the plan {quoted(title)} on {escape(board)}.",
        'Next: `/plan theme add 4 "<theme title>"`, then '
        '`/plan action add 4.1 "<title>" due 31/05/2019 owner @someone` — '
        "or fill it from a spreadsheet with `/plan import`.",
    )


def theme_added(ref: str, title: str, lead: str | None) -> Message:
    led = f", led by {user(lead)}" if lead else ""
    return text(f":white_check_mark: Added theme {escape(ref)} {quoted(title)}{led}.")


def theme_edited(
    ref: str, title: str, changes: dict[str, tuple[Any, Any]], lead: str | None
) -> Message:
    done = []
    if "title" in changes:
        done.append(f"renamed it {quoted(title)}")
    if "lead" in changes and lead:
        done.append(f"made {user(lead)} its lead")
    return text(f":pencil2: Theme {escape(ref)}: {_and(done)}.")


def theme_removed(ref: str, title: str) -> Message:
    return text(f":wastebasket: Removed theme {escape(ref)} {quoted(title)} from the plan.")


def action_moved(ref: str, title: str, before: str, theme_ref: str, theme_title: str) -> Message:
    return text(
        f":twisted_rightwards_arrows: Moved {escape(ref)} {quoted(title)} from theme "
        f"{escape(before)} to theme {escape(theme_ref)} {quoted(theme_title)}. "
        "Its ref and history stay as they were."
    )


def plan_list(boards: Sequence[BoardSummary]) -> Message:
    if not boards:
        return text(
            'There are no boards yet. Create one: `/plan board create "<name>"`, '
            'then `/plan new "<plan title>"` or `/plan import`.'
        )
    lines: list[str] = []
    for board in boards:
        lines.append(f"*{escape(board.name)}*")
        if not board.plans:
            lines.append('• no plans yet — `/plan new "<plan title>"` or `/plan import`')
        for plan in board.plans:
            state = "active" if plan.active else "archived"
            lines.append(
                f"• {quoted(plan.title)} ({state}) — {_count(plan.themes, 'theme')}, "
                f"{_count(plan.actions, 'action')}"
            )
    return long_text(lines)


def people_without_a_plan() -> Message:
    return text(
        "There is no plan yet, so there are no owners to link. "
        'Start one with `/plan new "<plan title>"` or bring one in with `/plan import`.'
    )


def action_added(
    ref: str, title: str, due: ParsedDate, owners: Sequence[str], theme_ref: str
) -> Message:
    return text(
        f":white_check_mark: Added {escape(ref)} {quoted(title)} to theme {escape(theme_ref)}, "
        f"due {escape(str(due))}, owned by {users(owners)}."
    )


def action_edited(ref: str, changes: dict[str, tuple[Any, Any]]) -> Message:
    parts = []
    for name, (before, after) in changes.items():
        label = "due date" if name == "due" else name
        parts.append(f"{label} {_value(before)} → {_value(after)}")
    return text(f":pencil2: Changed {escape(ref)}: " + "; ".join(parts) + ".")


def _value(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, dt.date):
        return day(value)
    return quoted(shorten(str(value), 80))


def owners_set(ref: str, owners: Sequence[str]) -> Message:
    return text(f":white_check_mark: {escape(ref)} is now owned by {users(owners)}.")


def delegate_added(ref: str, delegate: str, added: bool) -> Message:
    if not added:
        return text(f"{user(delegate)} is already a delegate on {escape(ref)}.")
    return text(f":white_check_mark: {user(delegate)} can now update {escape(ref)} for its owners.")


def action_removed(ref: str, title: str) -> Message:
    return text(
        f":wastebasket: Removed {escape(ref)} {quoted(title)} from the plan. Its history is "
        f"kept: adding {escape(ref)} again brings it back."
    )


def archived(title: str) -> Message:
    return text(
        f":file_cabinet: Archived {quoted(title)}. Its actions no longer get reminders "
        "and it stays in the history."
    )


# ---------------------------------------------------------------- people and roles


# A command's answers go through its response_url, which Slack lets an app use five times.
RESPONSE_PARTS = 5


def people(owners: Sequence[UnlinkedOwner]) -> list[Message]:
    """Owners not linked yet, in as many messages as Slack needs (as the import answer is),
    at most RESPONSE_PARTS; a list too long even for that says how many are left out."""
    if not owners:
        return [text(":white_check_mark: Every owner in the plan is linked to a Slack user.")]
    heading = (
        f"*{len(owners)} owner{'s' if len(owners) != 1 else ''} not linked to Slack yet* — "
        "they get no reminders until linked:"
    )
    lines = [heading, *(_owner_line(owner) for owner in owners)]
    chunks = split_blocks(sections_from_lines(lines))
    if len(chunks) > RESPONSE_PARTS:
        chunks = chunks[:RESPONSE_PARTS]
        shown = sum(
            line.startswith("• ")
            for chunk in chunks
            for block in chunk
            for line in block["text"]["text"].split("\n")
        )
        more = section(
            f"…and {len(owners) - shown} more. Link some of these, then `/plan people` again."
        )
        chunks[-1] = [*chunks[-1][: BLOCK_LIMIT - 1], more]
    fallback = shorten(heading, MESSAGE_TEXT_LIMIT)
    return [{"text": fallback, "blocks": chunk} for chunk in chunks]


def _owner_line(owner: UnlinkedOwner) -> str:
    title = f" ({escape(owner.title)})" if owner.title else ""
    refs = ", ".join(escape(r) for r in owner.refs)
    return f"• {escape(owner.name)}{title} — {refs}: {link_command(owner.name)}"


def link_command(name: str) -> str:
    return f'`/plan people link "{escape(name)}" @someone`'


def linked(result: Linked) -> Message:
    if result.merged_into is None:
        count = _count(result.actions, "action")
        return text(
            f":link: Linked {quoted(result.name)} to {user(result.user_id)}: "
            f"reminders for their {count} go to them now."
        )
    return text(
        f":link: {user(result.user_id)} was already in the plan as "
        f"{quoted(result.merged_into)}, so I merged {quoted(result.name)} into them: "
        f"{_count(result.actions, 'action')} moved over."
    )


# (is admin, added, changed) → the answer; {who} is the person, {board} " of <board>"
_ROLE_ANSWERS = {
    (True, True, True): ":white_check_mark: {who} is now a plan admin.",
    (True, True, False): "{who} is already a plan admin.",
    (False, True, True): ":white_check_mark: {who} can now read the status{board}.",
    (False, True, False): "{who} is already a member{board}.",
    (True, False, True): ":white_check_mark: {who} is no longer a plan admin.",
    (True, False, False): "{who} isn't a plan admin.",
    (False, False, True): ":white_check_mark: {who} is no longer a member{board}.",
    (False, False, False): "{who} isn't a member{board}.",
}


def role_changed(change: RoleChange, user_id: str, *, added: bool = True) -> Message:
    """A role given (or, `added=False`, taken away), or why nothing changed."""
    answer = _ROLE_ANSWERS[(change.role is Role.ADMIN, added, change.changed)]
    on_board = f" of {escape(change.board)}" if change.board else ""
    return text(answer.format(who=user(user_id), board=on_board))


def role_removed(change: RoleChange, user_id: str) -> Message:
    return role_changed(change, user_id, added=False)


# ---------------------------------------------------------------- export


def export_comment(exported: ExportedPlan) -> str:
    return f"{escape(exported.plan)} — exported {day(exported.exported_on)}"


def exported(result: ExportedPlan, where: str) -> Message:
    return text(
        f":page_facing_up: Uploaded `{escape(result.filename)}` {where}: {quoted(result.plan)}, "
        f"{_count(result.themes, 'theme')} and {_count(result.actions, 'action')}."
    )


# ---------------------------------------------------------------- import


def import_modal(choices: ImportChoices) -> dict[str, Any]:
    """The form `/plan import` opens: a file, the board when there are several, the plan."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Upload the plan as a spreadsheet with the columns "
                f"_{escape(EXPECTED_COLUMNS)}_. Importing the same plan again updates "
                "actions by their ref.",
            },
        },
        {
            "type": "input",
            "block_id": IMPORT_FILE_BLOCK,
            "label": {"type": "plain_text", "text": "Improvement plan (.xlsx or .csv)"},
            "element": {
                "type": "file_input",
                "action_id": IMPORT_FILE_ACTION,
                "filetypes": list(IMPORT_FILETYPES),
                "max_files": 1,
            },
        },
    ]
    if len(choices.boards) > 1:
        blocks.append(
            {
                "type": "input",
                "block_id": IMPORT_BOARD_BLOCK,
                "label": {"type": "plain_text", "text": "Board"},
                "element": {
                    "type": "static_select",
                    "action_id": IMPORT_BOARD_ACTION,
                    "placeholder": {"type": "plain_text", "text": "Choose a board"},
                    "options": [
                        {
                            "text": {"type": "plain_text", "text": plain(name, OPTION_TEXT_LIMIT)},
                            "value": str(board_id),
                        }
                        for board_id, name in choices.boards[:100]
                    ],
                },
            }
        )
    title_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": IMPORT_TITLE_ACTION,
        "max_length": TITLE_INPUT_LIMIT,
    }
    if len(choices.active_plans) == 1:
        title_input["initial_value"] = plain(choices.active_plans[0][0], TITLE_INPUT_LIMIT)
        hint = "Leave it to update this plan; type a new title to start a new plan."
    else:
        hint = (
            "The plan to update, or a new title; left empty, the plan takes the title at the "
            "top of the sheet (or the file's name)."
        )
    blocks.append(
        {
            "type": "input",
            "block_id": IMPORT_TITLE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Plan title"},
            "hint": {"type": "plain_text", "text": hint},
            "element": title_input,
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": IMPORT_MODE_BLOCK,
            "optional": True,
            "label": {"type": "plain_text", "text": "Check first?"},
            "element": {
                "type": "checkboxes",
                "action_id": IMPORT_MODE_ACTION,
                "options": [
                    {
                        "text": {"type": "plain_text", "text": "Check only"},
                        "description": {
                            "type": "plain_text",
                            "text": "Say what the import would do and list every doubtful "
                            "cell; change nothing.",
                        },
                        "value": IMPORT_CHECK_ONLY,
                    }
                ],
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": ids.IMPORT_MODAL,
        "title": {"type": "plain_text", "text": "Import a plan"},
        "submit": {"type": "plain_text", "text": "Import"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def import_done(
    summary_lines: Sequence[str], outcome: LinkingOutcome, filename: str
) -> list[Message]:
    """The DM after an import: what changed, who was linked, who still needs linking."""
    newly_linked, waiting, ambiguous = outcome.linked, outcome.waiting, outcome.ambiguous
    lines = [f":inbox_tray: *Imported* `{escape(filename)}`"]
    lines += [escape(line) for line in summary_lines]
    if outcome.lookup_failed:
        lines.append("I couldn't look the owners up in Slack just now, so link them by hand.")
    if newly_linked:
        lines.append(
            "Linked to Slack: "
            + ", ".join(
                f"{escape(item.name)} → {user(item.user_id)} (by {item.how})"
                for item in newly_linked
            )
            + "."
        )
    if ambiguous:
        lines.append(
            "Several Slack users share the name of "
            + _and([quoted(name) for name in ambiguous])
            + ", so I didn't guess."
        )
    if waiting:
        lines.append("*Still to link* — they get no reminders until then:")
        lines += [_owner_line(owner) for owner in waiting]
    else:
        lines.append(":white_check_mark: Every owner in this plan is linked to Slack.")
    blocks = sections_from_lines(lines)
    fallback = shorten(" ".join(lines[:3]), MESSAGE_TEXT_LIMIT)
    return [{"text": fallback, "blocks": chunk} for chunk in split_blocks(blocks)]


def import_outcome(outcome: ImportOutcome) -> list[Message]:
    """The DM after an import, or after checking one."""
    if outcome.checked_only or outcome.linking is None:
        return import_checked(outcome.lines, outcome.filename)
    return import_done(outcome.lines, outcome.linking, outcome.filename)


def import_checked(summary_lines: Sequence[str], filename: str) -> list[Message]:
    """The DM after "Check only": what an import would do; nothing was written."""
    lines = [f":mag: *Checked* `{escape(filename)}` — nothing was changed"]
    lines += [escape(line) for line in summary_lines]
    lines.append("Run `/plan import` again without *Check only* to import it.")
    blocks = sections_from_lines(lines)
    fallback = shorten(" ".join(lines[:3]), MESSAGE_TEXT_LIMIT)
    return [{"text": fallback, "blocks": blocks}]


def import_failed(filename: str, reason: str) -> Message:
    """The import wrote nothing: every problem (one a line), then how to try again."""
    problems = [" ".join(line.split()) for line in reason.splitlines() if line.strip()]
    first = f":warning: I couldn't import `{escape(filename)}`, so nothing was changed: "
    lines = [first + escape(problems[0] if problems else "")]
    lines += [f"• {escape(line)}" for line in problems[1:]]
    lines.append(TRY_AGAIN)
    return text("\n".join(lines))


# ---------------------------------------------------------------- helpers


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
