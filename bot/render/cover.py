"""Absences as `/progress away|back` and `/plan people away|back` answer them."""

from __future__ import annotations

from typing import Any

from bot.render.mrkdwn import escape, uk_date
from bot.services.cover import AbsenceEnded, AbsencesCancelled, AbsenceView

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
        lines.append(
            f"_This replaces what was set before from {uk_date(view.start)}: {spans}._"
        )
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
