"""What owners and chairs see: `/progress` answers, the update and new-date modals and what
they say once saved, answers in reminder threads, and the date-change messages.

Everything a person typed (titles, notes, reasons, names) goes through `escape`.
"""

from __future__ import annotations

from typing import Any

from bot.core.calendar import local_date
from bot.core.impact import Impact, wants_evidence
from bot.core.statuses import STATUS_EMOJI, Status
from bot.render import ids
from bot.render.buttons import (
    action_buttons,
    date_change_buttons,
    record_anyway_button,
    show_measures_button,
)
from bot.render.mrkdwn import (
    MESSAGE_TEXT_BUDGET,
    SECTION_LIMIT,
    block_text_length,
    context,
    escape,
    excerpt,
    plain,
    section,
    sections_from_lines,
    shorten,
    status_badge,
    take_within_budget,
    uk_date,
)
from bot.services.owner import (
    DateChangeNotice,
    Measures,
    MyAction,
    Recorded,
    UpdateForm,
    Who,
)

# Input blocks of the modals. Each block_id is also its element's action_id, so a field error
# (bot.services.owner.FieldError.field) names the block Slack shows it under.
ACTION_INPUT = "action"
STATUS_INPUT = "status"
NOTE_INPUT = "note"
EVIDENCE_INPUT = "evidence"
IMPACT_INPUT = "impact"
DATE_INPUT = "new_date"
REASON_INPUT = "reason"
FORM_FIELDS = {
    "action": ACTION_INPUT,
    "status": STATUS_INPUT,
    "note": NOTE_INPUT,
    "evidence": EVIDENCE_INPUT,
    "impact": IMPACT_INPUT,
    "date": DATE_INPUT,
    "reason": REASON_INPUT,
}

MINE_LIMIT = 20  # 2 blocks each, within a message's 50
OPTION_LIMIT = 100  # Slack's limit for a static_select
OPTION_TEXT_LIMIT = 75
MEASURES_LIMIT = 300  # of an action's measures on the update form; "Show all" shows the rest
VIEW_BLOCK_LIMIT = 100  # Slack's limit for a modal
MEASURES_VIEW = "measures_view"  # callback_id of the measures in full: a view nothing submits
TEXT_INPUT_LIMIT = 3000

USAGE_HINT = escape("`/progress <ref> <status> <note>`")

DM_HELP = (
    "Hi! To update one of your actions, reply in the thread of one of my reminders "
    "(e.g. `amber: survey slipped`), or use `/progress` — `/progress help` shows every form."
)


def dm_command_hint(typed: str) -> str:
    """A DM that reads like an update: it isn't one, so show the command to type."""
    command = escape(shorten(" ".join(typed.split()), 300))
    return (
        "Nothing is recorded: a message here isn't an update. Type it as a command — "
        f"`/progress {command}` — or reply in the thread of one of my reminders."
    )


THREAD_HELP = (
    "I only record replies in the thread of a reminder about your actions. "
    "Use `/progress` to update an action (`/progress help` shows how)."
)

Message = dict[str, Any]


# ---------------------------------------------------------------- answers


def quoted(text: str, limit: int = 2000) -> str:
    """Escaped text as a mrkdwn block quote, line by line."""
    lines = shorten_lines(text, limit)
    return "\n".join(f">{escape(line)}" if line.strip() else ">" for line in lines)


def shorten_lines(text: str, limit: int) -> list[str]:
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.splitlines() or [""]


def held_text(recorded: Recorded) -> str:
    """An update held because its text looked like a child's or family's personal details:
    what kind was found (never the text), and what to do."""
    held = recorded.held
    assert held is not None
    lines = [
        f":shield: *Not recorded yet* — your update on *{escape(recorded.ref)}* looks like it "
        "holds a child's or family's personal details. Board updates aren't case records."
    ]
    lines += [f"• {escape(explanation)}" for explanation in held.explanations]
    lines.append(
        "Send it again without them, or press *Record anyway* to record it as you wrote it "
        "(the audit log keeps who confirmed and when, not the text)."
    )
    return "\n".join(lines)[:SECTION_LIMIT]


def recorded_text(recorded: Recorded) -> str:
    """What an update said, as its author is told: action, status (and what it was), note."""
    if recorded.held is not None:
        return held_text(recorded)
    if recorded.repeated:
        return (
            f":information_source: You sent that same update on *{escape(recorded.ref)}* "
            "a few minutes ago; it's already recorded, so I've kept it once. "
            f"Status: {status_badge(recorded.status)}."
        )
    lines = [
        f":white_check_mark: Recorded an update on *{escape(recorded.ref)}* "
        f"{escape(shorten(recorded.title, 120))}"
    ]
    if recorded.instead_of:
        lines.append(
            f"_You named {escape(recorded.ref)}, so it's recorded there, "
            f"not on {escape(recorded.instead_of)}._"
        )
    if recorded.covering_for:
        lines.append(f"_Recorded as covering for {escape(recorded.covering_for)}._")
    if recorded.status_changed:
        lines.append(
            f"Status: {status_badge(recorded.status)} (was {recorded.previous_status.label})"
        )
    else:
        lines.append(f"Status: {status_badge(recorded.status)} (unchanged)")
    if recorded.reopened:
        lines.append(reopened_line(recorded))
    if recorded.note:
        lines.append(quoted(recorded.note))
    if recorded.impact is not None:
        lines.append(f"Impact: {recorded.impact.words}")
    if recorded.evidence:
        lines.append("Evidence:")
        lines.append(quoted(recorded.evidence, 800))
    if wants_evidence(
        recorded.status if recorded.status_changed else None,
        recorded.evidence,
        recorded.evidence_on_record,
    ):
        lines.append(evidence_request(recorded.ref))
    return "\n".join(lines)[:SECTION_LIMIT]


def reopened_line(recorded: Recorded) -> str:
    """Told to whoever gave a complete action another status: it is open again, and how to
    undo that, or add evidence of impact without reopening it."""
    ref = recorded.ref
    return (
        f":arrows_counterclockwise: *This reopens {escape(ref)}*: it was "
        f"{recorded.previous_status.label}, and the board now sees it as "
        f"{recorded.status.label} and open again. If you only meant to add evidence of impact, "
        + escape(f"`/progress {ref} done` marks it complete again; an update without a status ")
        + escape(f'(`/progress {ref} impact evidenced evidence "<what shows it>"`) ')
        + "keeps it complete."
    )


def evidence_request(ref: str) -> str:
    """Asked of an owner who marks an action complete without evidence of impact."""
    return (
        f":mag: Delivered — what difference has it made? Until there is evidence the board "
        f"sees *{escape(ref)}* as _delivered, impact not yet evidenced_. Add it with "
        + escape(f'`/progress {ref} impact evidenced evidence "<what shows it>"`')
        + "."
    )


def impact_options() -> list[dict[str, Any]]:
    return [_option(impact.label, impact.value) for impact in Impact]


def recorded_message(recorded: Recorded) -> Message:
    if recorded.held is not None:
        text = held_text(recorded)
        return {
            "text": text,
            "blocks": [section(text), record_anyway_button(recorded.held.held_id)],
        }
    return {"text": recorded_text(recorded)}


# ---------------------------------------------------------------- my actions


def action_summary(item: MyAction) -> str:
    """Two or three lines about one of my actions: ref and title, status and due, last update."""
    due = f"due {uk_date(item.due, item.due_precision)}" if item.due else "no due date"
    if item.due is None and item.due_text:
        due = f"due “{escape(shorten(item.due_text, 60))}”"
    flags = " · :warning: *overdue*" if item.overdue else ""
    stand_in = " · you stand in for the owners" if item.delegate else ""
    lines = [
        f"*{escape(item.ref)}* {escape(shorten(item.title, 200))}",
        f"{status_badge(item.status)} · {due}{flags} · _{escape(shorten(item.plan, 80))}_"
        f"{stand_in}",
    ]
    if item.last_update_note:
        when = uk_date(item.last_update_on) if item.last_update_on else "earlier"
        lines.append(f"Last update ({when}): {escape(shorten(item.last_update_note, 280))}")
    elif item.last_update_on:
        lines.append(f"Last update: {uk_date(item.last_update_on)}")
    else:
        lines.append("No update yet.")
    return "\n".join(lines)


def action_blocks(item: MyAction) -> list[dict[str, Any]]:
    """An action with its Update / Mark complete / Ask for new date buttons (two blocks)."""
    return [section(action_summary(item)), action_buttons(item.action_id)]


def more_line(rest: list[MyAction], where: str) -> str:
    refs = ", ".join(escape(item.ref) for item in rest[:30])
    if len(rest) > 30:
        refs += ", …"
    return f"…and {len(rest)} more: {refs}. {where}"


def mine_message(items: list[MyAction]) -> Message:
    """`/progress mine`: my open actions, soonest due first, each with its buttons."""
    if not items:
        return {
            "text": "You have no open actions in the active plans. "
            "`/progress help` shows what else I can do."
        }
    count = len(items)
    head = [
        section(
            f"*Your open actions* ({count}). Use the buttons, or type {USAGE_HINT}, "
            "e.g. `/progress 4.1 amber survey slipped to June`."
        )
    ]

    def rest(shown: int) -> list[dict[str, Any]]:
        if shown >= count:
            return []
        return [section(more_line(items[shown:], f"Update them with {USAGE_HINT}."))]

    blocks = take_within_budget(head, [action_blocks(item) for item in items[:MINE_LIMIT]], rest)
    refs = ", ".join(item.ref for item in items[:10])
    return {
        "text": escape(f"Your open actions: {refs}{' …' if count > 10 else ''}"),
        "blocks": blocks,
    }


# ---------------------------------------------------------------- modals


def _plain_text(text: str, limit: int | None = None) -> dict[str, Any]:
    return {"type": "plain_text", "text": plain(text, limit), "emoji": True}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain_text(text, OPTION_TEXT_LIMIT), "value": value}


def status_options() -> list[dict[str, Any]]:
    return [_option(f"{STATUS_EMOJI[s]} {s.label}", s.value) for s in Status]


def _input(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch: bool = False,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": _plain_text(label),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if dispatch:  # choosing sends the choice at once (the form redraws for it)
        block["dispatch_action"] = True
    if hint:
        block["hint"] = _plain_text(hint, 2000)
    return block


def _text_input(placeholder: str) -> dict[str, Any]:
    return {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": TEXT_INPUT_LIMIT,
        "placeholder": _plain_text(placeholder, 150),
    }


def _modal(
    callback_id: str,
    title: str,
    blocks: list[dict[str, Any]],
    *,
    submit: str | None = None,
    metadata: str = "",
) -> dict[str, Any]:
    """A form when it has a `submit` label (closed by Cancel); else a message closed by Done."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain_text(title, 24),
        "close": _plain_text("Cancel" if submit else "Done", 24),
        "private_metadata": metadata,
        "blocks": blocks,
    }
    if submit:
        view["submit"] = _plain_text(submit, 24)
    return view


def update_modal(form: UpdateForm, metadata: str = "") -> dict[str, Any]:
    """The update form: which action (one of mine), a new status, a note, evidence of impact."""
    choices = form.choices
    if form.selected is not None:  # always among the options, whatever else is cut
        rest = [c for c in choices if c.action_id != form.selected.action_id]
        choices = [form.selected, *rest]
    options = [_option(f"{c.ref} {c.title}", str(c.action_id)) for c in choices[:OPTION_LIMIT]]
    select: dict[str, Any] = {
        "type": "static_select",
        "placeholder": _plain_text("Choose one of your actions"),
        "options": options,
    }
    blocks: list[dict[str, Any]] = []
    status_hint = "Leave empty to keep the action's current status."
    evidence_label = "Evidence of impact"
    evidence_hint = None
    if form.selected is not None:
        selected = form.selected
        blocks.append(section(action_summary(selected)))
        select["initial_option"] = options[0]
        status_hint = f"Now: {selected.status.label}. Leave empty to keep it."
        if form.measures:
            blocks.append(measures_block(selected.action_id, form.measures, MEASURES_LIMIT))
            evidence_label = "Evidence against the measures"
            evidence_hint = (
                f"What evidence is there against {plain(selected.ref, 20)}'s measures, above?"
            )
    elif len(choices) > 1:
        blocks.append(context("Choose an action and its measures show here."))
    blocks += [
        # Choosing an action redraws the form on it, with its measures.
        _input(ACTION_INPUT, "Action", select, dispatch=True),
        _input(
            STATUS_INPUT,
            "Status",
            {
                "type": "static_select",
                "placeholder": _plain_text("Keep the current status"),
                "options": status_options(),
            },
            optional=True,
            hint=status_hint,
        ),
        _input(
            NOTE_INPUT,
            "Progress note",
            _text_input("What has happened since the last update?"),
            optional=True,
        ),
        _input(
            IMPACT_INPUT,
            "Impact so far",
            {
                "type": "static_select",
                "placeholder": _plain_text("No judgement this time"),
                "options": impact_options(),
            },
            optional=True,
            hint="Against the action's measures: what difference has it made to children?",
        ),
        _input(
            EVIDENCE_INPUT,
            evidence_label,
            _text_input("How do we know it is making a difference?"),
            optional=True,
            hint=evidence_hint,
        ),
    ]
    return _modal(ids.UPDATE_MODAL, "Update an action", blocks, submit="Save", metadata=metadata)


def measures_line(measures: str, limit: int) -> tuple[str, bool]:
    """An action's measures as one line of mrkdwn, trimmed to `limit`: (line, whether cut)."""
    text, cut = excerpt(measures, limit)
    return f"_Measured by:_ {escape(text)}", cut


def measures_block(action_id: int, measures: str, limit: int) -> dict[str, Any]:
    """An action's measures, trimmed, with "Show all" beside them when they were cut."""
    line, cut = measures_line(measures, limit)
    block = section(line)
    if cut:
        block["accessory"] = show_measures_button(action_id)
    return block


def _measures_blocks(measures: Measures, most: int, budget: int) -> list[dict[str, Any]]:
    """An action's measures in full, line by line, in at most `most` blocks and `budget`
    characters (a plan's cell is rarely near either; past them it is cut, saying so)."""
    head = section(
        f"*{escape(measures.ref)}* {escape(shorten(measures.title, 200))}\n"
        "_How its progress and impact are measured or evidenced:_"
    )
    lines = [escape(line) for line in (measures.text or "").strip().splitlines()]
    body = sections_from_lines(lines or ["_No measures in the plan._"])
    used = block_text_length(head)
    blocks = [head]
    for block in body[: most - 2]:
        used += block_text_length(block)
        if used > budget - 100:
            break
        blocks.append(block)
    if len(blocks) - 1 < len(body):
        blocks.append(context("…cut here: the plan's sheet has them in full."))
    return blocks


def measures_modal(measures: Measures) -> dict[str, Any]:
    """Opened over the update form by "Show all": the action's measures in full."""
    return _modal(
        MEASURES_VIEW,
        f"Measures of {plain(measures.ref, 10)}",
        _measures_blocks(measures, VIEW_BLOCK_LIMIT, 24 * SECTION_LIMIT),
    )


def measures_message(measures: Measures) -> Message:
    """Answered (to the presser only) by "Show all" on a reminder: the measures in full."""
    return {
        "text": escape(f"Measures of {measures.ref}"),
        "blocks": _measures_blocks(measures, 50, MESSAGE_TEXT_BUDGET),
    }


def update_saved_modal(recorded: Recorded) -> dict[str, Any]:
    """What the update modal shows once the update is saved (or held, with Record anyway)."""
    if recorded.held is not None:
        return _modal(ids.UPDATE_MODAL, "Not recorded yet", recorded_message(recorded)["blocks"])
    return _modal(ids.UPDATE_MODAL, "Update saved", [section(recorded_text(recorded))])


def date_change_modal(item: MyAction, metadata: str = "") -> dict[str, Any]:
    """Ask the board for a new due date: a date and a reason."""
    due = uk_date(item.due, item.due_precision) if item.due else "no due date yet"
    blocks = [
        section(
            f"*{escape(item.ref)}* {escape(shorten(item.title, 200))}\n"
            f"Due now: *{due}*. The board's chair decides; I'll tell you the outcome."
        ),
        _input(DATE_INPUT, "New due date", {"type": "datepicker"}),
        _input(
            REASON_INPUT,
            "Why does it need to change?",
            _text_input("What has changed, and what is being done about it?"),
        ),
    ]
    return _modal(
        ids.DATE_CHANGE_MODAL,
        "Ask for a new date",
        blocks,
        submit="Ask the chair",
        metadata=metadata,
    )


# The form helpers, for the other views' modals.
modal = _modal
modal_input = _input


def date_change_sent_modal(notice: DateChangeNotice) -> dict[str, Any]:
    return _modal(ids.DATE_CHANGE_MODAL, "Request sent", [section(date_change_asked_text(notice))])


# ---------------------------------------------------------------- date changes


def _names(people: tuple[Who, ...] | list[Who]) -> str:
    names = [escape(p.name) for p in people]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def _old_due(notice: DateChangeNotice) -> str:
    return uk_date(notice.old_due, notice.old_precision) if notice.old_due else "no date"


def _new_due(notice: DateChangeNotice) -> str:
    return uk_date(notice.new_due, notice.new_precision)


def date_change_asked_text(notice: DateChangeNotice) -> str:
    """Told to the person who asked for a new date."""
    move = f"move *{escape(notice.action_ref)}* from {_old_due(notice)} to *{_new_due(notice)}*"
    reachable = [p for p in notice.approvers if p.slack_user_id]
    if reachable:
        return (
            f":hourglass_flowing_sand: I've asked {_names(reachable)} to {move}. "
            "I'll tell you when they decide."
        )
    return (
        f":hourglass_flowing_sand: I've recorded your request to {move}, but the board has no "
        "chair or admin I can reach on Slack yet; it will be in the pack for the next meeting."
    )


def _request_summary(notice: DateChangeNotice) -> str:
    requester = escape(notice.requested_by.name) if notice.requested_by else "Someone"
    return (
        f":calendar: *{requester}* asks to move the due date of *{escape(notice.action_ref)}* "
        f"{escape(shorten(notice.action_title, 200))}\n"
        f"{_old_due(notice)} → *{_new_due(notice)}*\n"
        f"{quoted(notice.reason, 1500)}"
    )


def date_change_request_message(notice: DateChangeNotice) -> Message:
    """The DM to the chair (or admins): the request, with Approve and Decline buttons."""
    value = str(notice.request_id)
    requester = notice.requested_by.name if notice.requested_by else "Someone"
    return {
        "text": escape(f"{requester} asks to move {notice.action_ref} to {_new_due(notice)}"),
        "blocks": [
            section(_request_summary(notice)),
            context(
                f"{escape(notice.board)} · request {value} · or type "
                f"`/board approve {value}` / `/board decline {value} {escape('<reason>')}`"
            ),
            date_change_buttons(notice.request_id),
        ],
    }


def _outcome(notice: DateChangeNotice) -> str:
    decider = escape(notice.decided_by.name) if notice.decided_by else "The board"
    when = (
        f" on {uk_date(local_date(notice.decided_at, notice.timezone))}"
        if notice.decided_at
        else ""
    )
    note = f": {escape(shorten(notice.decision_note, 500))}" if notice.decision_note else ""
    if notice.state == "approved":
        return f":white_check_mark: Approved by {decider}{when}{note}"
    if notice.state == "declined":
        return f":x: Declined by {decider}{when}{note}"
    if notice.state == "closed":
        return f":white_check_mark: Closed{when}: the action was marked complete"
    if notice.state == "withdrawn":
        return ":leftwards_arrow_with_hook: Replaced by a newer request for the same action"
    return f"Now {escape(notice.state)}"


def date_change_closed_dm(notice: DateChangeNotice) -> Message:
    """Told to the chair: a request they had not decided closed when its action was completed."""
    ref = escape(notice.action_ref)
    title = escape(shorten(notice.action_title, 200))
    who = escape(notice.decided_by.name) if notice.decided_by else "Its owner"
    text = (
        f":white_check_mark: {who} marked *{ref}* {title} complete, so the request to move its "
        f"due date to {_new_due(notice)} is closed: there is nothing for you to decide."
    )
    return {"text": text, "blocks": [section(text)]}


def date_change_decided_message(notice: DateChangeNotice) -> Message:
    """The chair's message once the request is decided: the request, the outcome, no buttons."""
    return {
        "text": escape(f"Date change for {notice.action_ref}: {notice.state}"),
        "blocks": [section(_request_summary(notice)), context(_outcome(notice))],
    }


def date_change_decision_dm(notice: DateChangeNotice) -> Message:
    """Told to the person who asked: the outcome and the action's due date now."""
    ref = escape(notice.action_ref)
    title = escape(shorten(notice.action_title, 200))
    decider = escape(notice.decided_by.name) if notice.decided_by else "The board"
    due = uk_date(notice.due, notice.new_precision) if notice.due else "no date"
    if notice.state == "approved":
        original = (
            f" (originally {uk_date(notice.original_due)})"
            if notice.original_due and notice.original_due != notice.due
            else ""
        )
        text = (
            f":white_check_mark: {decider} approved your new date for *{ref}* {title}. "
            f"It's now due *{due}*{original}."
        )
    else:
        note = f":\n{quoted(notice.decision_note, 800)}\n" if notice.decision_note else ". "
        text = (
            f":x: {decider} declined your request to move *{ref}* {title} to "
            f"{_new_due(notice)}{note}It stays due *{_old_due(notice)}*."
        )
    return {"text": text}
