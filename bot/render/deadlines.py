"""Deadlines as `/plan deadline`, `/plan deadlines` and `/board deadlines` show them."""

from __future__ import annotations

from typing import Any

from bot.render.mrkdwn import escape
from bot.services.deadlines import DeadlineChange, DeadlineView

Message = dict[str, Any]

RED, AMBER, GREEN = ":red_circle:", ":large_orange_circle:", ":large_green_circle:"


def mark(view: DeadlineView) -> str:
    """Red once overdue, amber within ten working days, green before."""
    if view.red:
        return RED
    return AMBER if view.working_days_left <= 10 else GREEN


def deadline_line(view: DeadlineView, *, board: bool = False) -> str:
    parts = [f"{mark(view)} {escape(view.text)}"]
    if view.rule:
        parts.append(f"_({escape(view.rule)})_")
    if view.owner:
        parts.append(f"owner {escape(view.owner)}")
    if board:
        parts.append(f"· {escape(view.board)}")
    return " ".join(parts)


def deadline_set(change: DeadlineChange) -> Message:
    verb = "Changed" if change.replaced else "Added"
    view = change.deadline
    return {
        "text": f":white_check_mark: {verb} a deadline on {escape(view.board)}:\n"
        + deadline_line(view)
        + "\nReminders go to its owner, the admins and the chair at 20, 10, 5 and 0 working "
        "days left."
    }


def deadline_removed(view: DeadlineView) -> Message:
    return {"text": f":wastebasket: Removed “{escape(view.title)}” from {escape(view.board)}."}


def deadlines_message(views: list[DeadlineView], *, every_board: bool = False) -> Message:
    if not views:
        return {
            "text": "No deadlines yet. An admin adds one: `/plan deadline add statement of "
            'action from 12/03/2019` or `/plan deadline add "<title>" due 28/06/2019`.'
        }
    boards = {view.board for view in views}
    head = "*Deadlines*" + (f" — {escape(views[0].board)}" if len(boards) == 1 else "")
    lines = [head] + [deadline_line(v, board=every_board and len(boards) > 1) for v in views]
    return {"text": "\n".join(lines)}
