"""Absences as `/progress away|back` and `/plan people away|back` answer them."""

from __future__ import annotations

from typing import Any

from bot.render import ids
from bot.render.buttons import button
from bot.render.mrkdwn import escape, section, uk_date
from bot.render.progress import modal, modal_input
from bot.services.cover import AbsenceEnded, AbsencesCancelled, AbsenceView, MyAbsence

Message = dict[str, Any]


def _who(mine: bool, person: str, verb_mine: str, verb_other: str) -> str:
    return f"You're {verb_mine}" if mine else f"{escape(person)} is {verb_other}"


def absence_set(view: AbsenceView) -> Message:
    days = "1 working day" if view.working_days == 1 else f"{view.working_days} working days"
    lines = [
        f":palm_tree: {_who(view.mine, view.person, 'away', 'away')} from "
        f"{uk_date(view.start)} to {uk_date(view.end)} ({days}); back on "
        f"{uk_date(view.back_on)}. It ends by itself."
    ]
    if view.deputy:
        lines.append(
            f"{escape(view.deputy)} covers: reminders and escalations go to them, saying whom "
            "they cover, and they may update the actions meanwhile."
        )
    else:
        lines.append(
            "No deputy: no reminders go out meanwhile, and overdue actions are listed to the "
            "chair as “owner away, no cover”."
        )
    if view.replaces:
        spans = ", ".join(f"{uk_date(a)} to {uk_date(b)}" for a, b in view.replaces)
        lines.append(f"_This replaces what was set before from {uk_date(view.start)}: {spans}._")
    return {"text": "\n".join(lines)}


def absence_ended(ended: AbsenceEnded) -> Message:
    if ended.ended is None:
        who = "You aren't" if ended.mine else f"{escape(ended.person)} isn't"
        return {"text": f"{who} away today, so there's nothing to end."}
    who = "Welcome back" if ended.mine else f"{escape(ended.person)} is back"
    return {"text": f":wave: {who}: reminders go to {'you' if ended.mine else 'them'} again."}


def absences_cancelled(cancelled: AbsencesCancelled) -> Message:
    spans = ", ".join(f"{uk_date(a)} to {uk_date(b)}" for a, b in cancelled.cancelled)
    return {"text": f":wastebasket: Cancelled the absence {spans}."}


# ---------------------------------------------------------------- the Home tab and its form

AWAY_FROM = "away_from"
AWAY_TO = "away_to"
AWAY_DEPUTY = "away_deputy"


def home_away_blocks(away: MyAbsence | None) -> list[dict[str, Any]]:
    """My absence under way or next, who covers, and Cancel absence; else an I'm away button."""
    if away is None:
        return [
            section("Going on leave? Set who covers your actions while you're away."),
            _actions("away", button("I'm away", ids.AWAY_BUTTON, "0")),
        ]
    when = "You're away" if away.under_way else "You'll be away"
    who = (
        f"{escape(away.deputy)} covers: reminders, escalations and challenges go to them."
        if away.deputy
        else "No deputy: no reminders go to anyone meanwhile."
    )
    label = "I'm back" if away.under_way else "Cancel absence"
    return [
        section(f":palm_tree: {when} from {uk_date(away.start)} to {uk_date(away.end)}. {who}"),
        _actions("absence", button(label, ids.CANCEL_ABSENCE, str(away.absence_id), "danger")),
    ]


def _actions(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": f"home_{block_id}", "elements": [element]}


def away_modal(notice: str | None = None) -> dict[str, Any]:
    """The Home tab's absence form: first and last day away, and who covers (optional)."""
    blocks: list[dict[str, Any]] = [
        section(
            notice
            or "While you're away your reminders, escalations and the board's challenges go to "
            "your deputy, saying whom they cover, and they may update your actions. With no "
            "deputy nothing is sent to anyone. It ends by itself."
        ),
        modal_input(AWAY_FROM, "First day away", {"type": "datepicker"}),
        modal_input(AWAY_TO, "Last day away", {"type": "datepicker"}),
        modal_input(AWAY_DEPUTY, "Who covers (optional)", {"type": "users_select"}, optional=True),
    ]
    return modal(ids.AWAY_MODAL, "I'm away", blocks, submit="Save")


def away_saved_modal(view: AbsenceView) -> dict[str, Any]:
    return modal(ids.AWAY_MODAL, "Absence saved", [section(absence_set(view)["text"])])


def absence_ended_or_cancelled(done: AbsenceEnded | AbsencesCancelled) -> Message:
    if isinstance(done, AbsenceEnded):
        return absence_ended(done)
    return absences_cancelled(done)
