"""The buttons several views share; their ids are the contract with handlers/ (bot/render/ids)."""

from __future__ import annotations

from typing import Any

from bot.render import ids
from bot.render.mrkdwn import context, section, sections_from_lines

# Actions that get a Challenge button in one view (one section each, so the view stays well
# within Slack's 50 blocks a message and the five replies a command takes); the rest are
# challenged with the command, as the view says.
CHALLENGE_BUTTONS = 20
CHALLENGE_BY_COMMAND = (
    'Challenge any other action with `/board challenge &lt;ref&gt; "your question"`.'
)


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


def _buttons(block_id: str, value: str, *labels: tuple[str, str, str | None]) -> dict[str, Any]:
    """An actions block of buttons that all carry `value`: (text, action id, style) each."""
    return {
        "type": "actions",
        "block_id": f"{block_id}_{value}",
        "elements": [button(text, action, value, style) for text, action, style in labels],
    }


def action_buttons(action_id: int) -> dict[str, Any]:
    """Update / Mark complete / Ask for new date, for one action (reminders, lists, Home)."""
    return _buttons(
        "action_buttons",
        str(action_id),
        ("Update", ids.UPDATE_ACTION, "primary"),
        ("Mark complete", ids.COMPLETE_ACTION, None),
        ("Ask for new date", ids.ASK_NEW_DATE, None),
    )


def show_measures_button(action_id: int) -> dict[str, Any]:
    """Beside an action's measures when they are trimmed: shows them in full."""
    return button("Show all", ids.SHOW_MEASURES, str(action_id))


def date_change_buttons(request_id: int) -> dict[str, Any]:
    """Approve / Decline, for one date-change request."""
    return _buttons(
        "date_change",
        str(request_id),
        ("Approve", ids.APPROVE_DATE_CHANGE, "primary"),
        ("Decline", ids.DECLINE_DATE_CHANGE, "danger"),
    )


def record_anyway_button(held_id: int, *, answer: bool = False) -> dict[str, Any]:
    """Record anyway, under an update (or a challenge answer) held because its text looked
    like personal details."""
    if answer:
        return _buttons(
            "record_answer_anyway", str(held_id),
            ("Record anyway", ids.RECORD_ANSWER_ANYWAY, "danger"),
        )  # fmt: skip
    return _buttons("record_anyway", str(held_id), ("Record anyway", ids.RECORD_ANYWAY, "danger"))


def challenge_button(action_id: int) -> dict[str, Any]:
    """Challenge, as a section's accessory beside one action: opens the question form."""
    return button("Challenge", ids.CHALLENGE_ACTION, str(action_id))


def challenge_step_buttons(challenge_id: int) -> dict[str, Any]:
    """Close / Follow up, under an answered challenge, for the chair."""
    return _buttons(
        "challenge_step",
        str(challenge_id),
        ("Close", ids.CLOSE_CHALLENGE, "primary"),
        ("Follow up", ids.FOLLOW_UP_CHALLENGE, None),
    )


def with_challenges(
    lines: list[tuple[int, str]],
    can_challenge: bool,
    joined: str = "",
    buttons: int = CHALLENGE_BUTTONS,
) -> list[dict[str, Any]]:
    """One line per action (its id, its mrkdwn): for someone who may challenge, the first
    `buttons` each in a section with a Challenge button, the rest as plain lines and a note
    on the command; for anyone else, the lines packed into sections."""
    if not can_challenge:
        return sections_from_lines(line + joined for _, line in lines)
    shown = lines[:buttons]
    blocks = [{**section(line), "accessory": challenge_button(id_)} for id_, line in shown]
    rest = lines[len(shown) :]
    if rest:
        blocks += sections_from_lines(line + joined for _, line in rest)
        blocks.append(context(CHALLENGE_BY_COMMAND))
    return blocks
