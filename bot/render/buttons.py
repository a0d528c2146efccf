"""The buttons several views share; their ids are the contract with handlers/ (bot/render/ids)."""

from __future__ import annotations

from typing import Any

from bot.render import ids


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def action_buttons(action_id: int) -> dict[str, Any]:
    """Update / Mark complete / Ask for new date, for one action (reminders, lists, Home)."""
    value = str(action_id)
    return {
        "type": "actions",
        "block_id": f"action_buttons_{value}",
        "elements": [
            button("Update", ids.UPDATE_ACTION, value, style="primary"),
            button("Mark complete", ids.COMPLETE_ACTION, value),
            button("Ask for new date", ids.ASK_NEW_DATE, value),
        ],
    }


def date_change_buttons(request_id: int) -> dict[str, Any]:
    """Approve / Decline, for one date-change request."""
    value = str(request_id)
    return {
        "type": "actions",
        "block_id": f"date_change_{value}",
        "elements": [
            button("Approve", ids.APPROVE_DATE_CHANGE, value, style="primary"),
            button("Decline", ids.DECLINE_DATE_CHANGE, value, style="danger"),
        ],
    }


def record_anyway_button(held_id: int) -> dict[str, Any]:
    """Record anyway, under an update held because its text looked like personal details."""
    value = str(held_id)
    return {
        "type": "actions",
        "block_id": f"record_anyway_{value}",
        "elements": [button("Record anyway", ids.RECORD_ANYWAY, value, style="danger")],
    }
